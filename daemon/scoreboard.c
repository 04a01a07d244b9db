/* SPDX-License-Identifier: ISC */
#include <sys/mman.h>

#include <bsd/string.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "scoreboard.h"

/* Tries of slot_snapshot before it gives up on a slot. */
#define SNAPSHOT_TRIES	8

static size_t	used(const struct scoreboard *);
static void	set_state(struct slot *, enum slot_state);
static void	write_begin(struct slot *);
static void	write_end(struct slot *);

struct scoreboard *
scoreboard_create(void)
{
	struct scoreboard *sb;

	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		fatal("scoreboard mmap");
	/* Zero-filled already: touching every page would count them all
	 * in the resident size of the master and of every worker. */
	sb->started_ms = now_ms();
	srctab_init(&sb->sources);
	return sb;
}

void
scoreboard_served(struct scoreboard *sb)
{
	__atomic_add_fetch(&sb->served, 1, __ATOMIC_RELAXED);
}

void
scoreboard_refused(struct scoreboard *sb)
{
	__atomic_add_fetch(&sb->refused, 1, __ATOMIC_RELAXED);
}

void
scoreboard_set_generation(struct scoreboard *sb, unsigned gen)
{
	__atomic_store_n(&sb->generation, gen, __ATOMIC_RELAXED);
}

int
slot_snapshot(const struct slot *s, struct slot *copy)
{
	unsigned before, after;

	for (int i = 0; i < SNAPSHOT_TRIES; i++) {
		before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (before & 1)
			continue;
		memcpy(copy, s, sizeof(*copy));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		after = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
		if (before == after) {
			copy->state = (int)slot_state(s);
			return 0;
		}
	}
	return -1;
}

void
scoreboard_tally(const struct scoreboard *sb, unsigned gen,
    long long slow_ms, struct tally *t)
{
	size_t n = used(sb);

	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < n; i++) {
		const struct slot *s = &sb->slot[i];
		enum slot_state st = slot_state(s);

		t->state[st]++;
		if (st == SLOT_DEAD)
			continue;
		t->alive++;
		if (st == SLOT_READING && s->accepted_ms < slow_ms)
			t->slow_reading++;
		if (s->generation != gen || st == SLOT_EXITING)
			continue;
		t->cur++;
		t->cur_idle += st == SLOT_IDLE;
		t->cur_starting += st == SLOT_STARTING;
	}
}

size_t
scoreboard_reading_from(const struct scoreboard *sb, const struct srckey *src,
    long long before_ms)
{
	size_t n = used(sb), count = 0;

	/* A torn key miscounts one connection once: no lock for that. */
	for (size_t i = 0; i < n; i++)
		count += slot_state(&sb->slot[i]) == SLOT_READING &&
		    sb->slot[i].accepted_ms < before_ms &&
		    memcmp(&sb->slot[i].src, src, sizeof(*src)) == 0;
	return count;
}

size_t
scoreboard_older_readers(const struct scoreboard *sb, const struct slot *s)
{
	size_t n = used(sb), count = 0;
	long long mine = s->accepted_ms;

	for (size_t i = 0; i < n; i++) {
		const struct slot *o = &sb->slot[i];

		count += slot_state(o) == SLOT_READING && (o->accepted_ms <
		    mine || (o->accepted_ms == mine && o < s));
	}
	return count;
}

struct slot *
scoreboard_next(struct scoreboard *sb, struct slot *s)
{
	size_t n = used(sb);

	for (size_t i = s == NULL ? 0 : (size_t)(s - sb->slot) + 1; i < n; i++)
		if (slot_state(&sb->slot[i]) != SLOT_DEAD)
			return &sb->slot[i];
	return NULL;
}

static size_t
used(const struct scoreboard *sb)
{
	return __atomic_load_n(&sb->nslots, __ATOMIC_ACQUIRE);
}

struct slot *
slot_start(struct scoreboard *sb, unsigned gen)
{
	unsigned seq;

	for (size_t i = 0; i < WORKERS_LIMIT; i++) {
		struct slot *s = &sb->slot[i];

		if (slot_state(s) != SLOT_DEAD)
			continue;
		if (i >= sb->nslots)
			__atomic_store_n(&sb->nslots, i + 1, __ATOMIC_RELEASE);
		seq = s->seq;
		memset(s, 0, sizeof(*s));
		/* Changed: a status reader of the old contents sees it. */
		s->seq = seq + 2;
		s->generation = gen;
		s->started_ms = now_ms();
		set_state(s, SLOT_STARTING);
		return s;
	}
	return NULL;
}

void
slot_dead(struct slot *s)
{
	s->pid = 0;
	s->cmd_pgid = 0;
	set_state(s, SLOT_DEAD);
}

void
slot_pid(struct slot *s, pid_t pid)
{
	s->pid = pid;
}

void
slot_idle(struct slot *s)
{
	set_state(s, SLOT_IDLE);
}

void
slot_reading(struct slot *s, const char *peer, const struct srckey *src)
{
	write_begin(s);
	strlcpy(s->peer, peer, sizeof(s->peer));
	s->src = *src;
	s->user[0] = '\0';
	s->command[0] = '\0';
	s->accepted_ms = now_ms();
	write_end(s);
	set_state(s, SLOT_READING);
}

/* pgid first: the master may end the command once the state says BUSY. */
void
slot_busy(struct slot *s, const char *user, const char *command, pid_t pgid)
{
	write_begin(s);
	strlcpy(s->user, user, sizeof(s->user));
	strlcpy(s->command, command, sizeof(s->command));
	s->busy_ms = now_ms();
	write_end(s);
	s->cmd_pgid = pgid;
	set_state(s, SLOT_BUSY);
}

void
slot_done(struct slot *s)
{
	s->cmd_pgid = 0;
	s->requests++;
}

void
slot_exiting(struct slot *s)
{
	set_state(s, SLOT_EXITING);
}

enum slot_state
slot_state(const struct slot *s)
{
	return (enum slot_state)__atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

static void
set_state(struct slot *s, enum slot_state st)
{
	__atomic_store_n(&s->state, (int)st, __ATOMIC_RELEASE);
}

static void
write_begin(struct slot *s)
{
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void
write_end(struct slot *s)
{
	__atomic_add_fetch(&s->seq, 1, __ATOMIC_RELEASE);
}
