/* SPDX-License-Identifier: ISC */
/* The scoreboard's seqlock: a slot copied while its worker writes it is
 * never torn (a status request reads busy workers' slots unlocked). */
#include <sys/mman.h>
#include <sys/wait.h>

#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon/scoreboard.h"

#define GOOD		2000		/* whole copies wanted */
#define READS		200000000L	/* at most */
#define PAUSE		2000
#define ALL		((1u << 26) - 1)	/* a bit a letter */
#define START_TRIES	1000000L

/* Write number i: every string of one letter, its lengths set by it. */
static void
fill(char *buf, int c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

static void
strings(int c, char *peer, char *user, char *cmd)
{
	int k = c - 'a';

	fill(peer, c, 8 + (size_t)k);
	fill(user, c, 4 + (size_t)k);
	fill(cmd, c, 100 + 30 * (size_t)k);
}

static void __attribute__((noreturn))
writer(struct slot *s, int *stop)
{
	char peer[SLOT_PEER_MAX], user[USER_MAX], cmd[SLOT_COMMAND_MAX];

	for (long i = 0; i < 5000000L &&
	    !__atomic_load_n(stop, __ATOMIC_RELAXED); i++) {
		strings('a' + (int)(i % 26), peer, user, cmd);
		slot_reading(s, peer, &(struct srckey){ 0 });
		slot_busy(s, user, cmd, 77);
		slot_done(s);
		/* A worker also does other things: readers get a window. */
		for (int k = 0; k < PAUSE; k++)
			(void)__atomic_load_n(stop, __ATOMIC_RELAXED);
	}
	_exit(0);
}

/* The copy is one of the writer's states: peer alone, or all three. */
static bool
whole(const struct slot *copy)
{
	char peer[SLOT_PEER_MAX], user[USER_MAX], cmd[SLOT_COMMAND_MAX];
	int c = copy->peer[0];

	if (c < 'a' || c > 'z')
		return false;
	strings(c, peer, user, cmd);
	if (strcmp(copy->peer, peer) != 0)
		return false;
	if (copy->user[0] == '\0')
		return copy->command[0] == '\0';
	return strcmp(copy->user, user) == 0 && strcmp(copy->command,
	    cmd) == 0;
}

Test(daemon_seqlock, copies_are_never_torn)
{
	struct scoreboard *sb = scoreboard_create();
	struct slot *s = slot_start(sb, 1), copy;
	unsigned seen = 0, seq0;
	int *stop;
	long tries = 0;
	int good = 0, torn = 0, status;
	pid_t pid;

	stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(stop, MAP_FAILED);
	seq0 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0)
		writer(s, stop);
	while (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) == seq0 &&
	    tries++ < START_TRIES)
		sched_yield();
	/* Until the writer has been seen writing every letter meanwhile:
	 * copies of a slot left alone prove nothing. */
	for (long i = 0; i < READS && (good < GOOD || seen != ALL); i++) {
		if (slot_snapshot(s, &copy) == -1)
			continue;
		good++;
		if (!whole(&copy))
			torn++;
		else
			seen |= 1u << (copy.peer[0] - 'a');
	}
	__atomic_store_n(stop, 1, __ATOMIC_RELAXED);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_lt(tries, START_TRIES, "the writer never wrote");
	cr_assert_eq(torn, 0, "%d torn copies of %d", torn, good);
	cr_assert_geq(good, GOOD, "%d whole copies in %ld reads", good,
	    READS);
	cr_assert_eq(seen, ALL, "letters seen: %#x", seen);
	munmap(stop, sizeof(*stop));
	munmap(sb, sizeof(*sb));
}
