#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "pool.h"
#include "worker.h"

#define SPAWN_RATE_MAX		32
#define EARLY_DEATH_MS		1000
#define BACKOFF_FIRST_MS	250
#define BACKOFF_MAX_MS		30000
#define RETIRE_EVERY_MS		200

void
pool_init(struct pool *p, const struct config *cf, struct listeners *l,
    int close_in_child)
{
	memset(p, 0, sizeof(*p));
	p->sb = scoreboard_create();
	p->cf = cf;
	p->l = l;
	p->close_in_child = close_in_child;
	p->generation = 1;
	p->spawn_rate = 1;
}

static bool
live(const struct slot *s)
{
	return slot_state(s) != SLOT_DEAD;
}

size_t
pool_alive(const struct pool *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->sb->nslots; i++)
		n += live(&p->sb->slot[i]);
	return n;
}

size_t
pool_busy(const struct pool *p)
{
	return scoreboard_count(p->sb, SLOT_BUSY, 0, 1) +
	    scoreboard_count(p->sb, SLOT_READING, 0, 1);
}

static struct slot *
free_slot(struct pool *p)
{
	for (size_t i = 0; i < p->sb->nslots; i++)
		if (!live(&p->sb->slot[i]))
			return &p->sb->slot[i];
	return NULL;
}

static void
backoff(struct pool *p)
{
	p->backoff_ms = p->backoff_ms == 0 ? BACKOFF_FIRST_MS :
	    p->backoff_ms * 2;
	if (p->backoff_ms > BACKOFF_MAX_MS)
		p->backoff_ms = BACKOFF_MAX_MS;
	p->backoff_until = now_ms() + p->backoff_ms;
}

static int
spawn_worker(struct pool *p)
{
	struct slot *s = free_slot(p);
	pid_t master = getpid(), pid;

	if (s == NULL)
		return -1;
	memset(s, 0, sizeof(*s));
	s->generation = p->generation;
	s->started_ms = now_ms();
	slot_set_state(s, SLOT_STARTING);
	if ((pid = fork()) == -1) {
		log_warn("fork");
		slot_set_state(s, SLOT_DEAD);
		backoff(p);
		return -1;
	}
	if (pid == 0) {
		close(p->close_in_child);
		worker_main(p->cf, p->sb, s, p->l, master);
	}
	s->pid = pid;
	log_debug("started worker %d", pid);
	return 0;
}

/* Idle or starting workers of this generation, and all of it. */
static void
count(const struct pool *p, size_t *idle, size_t *cur)
{
	*idle = *cur = 0;
	for (size_t i = 0; i < p->sb->nslots; i++) {
		const struct slot *s = &p->sb->slot[i];
		enum slot_state st = slot_state(s);
		if (s->generation != p->generation || st == SLOT_DEAD ||
		    st == SLOT_EXITING)
			continue;
		(*cur)++;
		if (st == SLOT_IDLE || st == SLOT_STARTING)
			(*idle)++;
	}
}

static void
retire_one(struct pool *p)
{
	for (size_t i = 0; i < p->sb->nslots; i++) {
		struct slot *s = &p->sb->slot[i];
		if (s->generation == p->generation &&
		    slot_state(s) == SLOT_IDLE && s->pid > 0) {
			log_debug("retiring idle worker %d", s->pid);
			kill(s->pid, SIGTERM);
			p->last_retire = now_ms();
			return;
		}
	}
}

void
pool_maintain(struct pool *p)
{
	size_t idle, cur, alive = pool_alive(p);
	size_t max = (size_t)p->cf->max_workers, want = 0;

	count(p, &idle, &cur);
	if (now_ms() < p->backoff_until)
		return;
	if (cur < (size_t)p->cf->workers)
		want = (size_t)p->cf->workers - cur;
	else if (idle == 0) {
		want = (size_t)p->spawn_rate;
		/* Doubles while every worker stays busy. */
		if (p->spawn_rate < SPAWN_RATE_MAX)
			p->spawn_rate *= 2;
	} else
		p->spawn_rate = 1;
	if (alive + want > max)
		want = alive < max ? max - alive : 0;
	for (size_t i = 0; i < want; i++)
		if (spawn_worker(p) == -1)
			break;
	if (idle > (size_t)p->cf->max_spare && cur > (size_t)p->cf->workers &&
	    now_ms() - p->last_retire >= RETIRE_EVERY_MS)
		retire_one(p);
}

static struct slot *
find(struct pool *p, pid_t pid)
{
	for (size_t i = 0; i < p->sb->nslots; i++)
		if (live(&p->sb->slot[i]) && p->sb->slot[i].pid == pid)
			return &p->sb->slot[i];
	return NULL;
}

static void
worker_gone(struct pool *p, struct slot *s, int status)
{
	char how[32];
	bool abnormal;

	if (WIFSIGNALED(status)) {
		abnormal = !(p->killing && WTERMSIG(status) == SIGKILL);
		snprintf(how, sizeof(how), "signal %d", WTERMSIG(status));
	} else {
		abnormal = WEXITSTATUS(status) != 0;
		snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(status));
	}
	if (abnormal) {
		log_warnx("worker %d died (%s)", s->pid, how);
		if (now_ms() - s->started_ms < EARLY_DEATH_MS)
			backoff(p);
	} else
		log_debug("worker %d exited (%s)", s->pid, how);
	if (!abnormal || now_ms() - s->started_ms >= EARLY_DEATH_MS)
		p->backoff_ms = 0;
	/* The worker cannot end its command any more: we do. */
	if (s->cmd_pgid > 0 && abnormal)
		kill(-s->cmd_pgid, SIGKILL);
	s->pid = 0;
	s->cmd_pgid = 0;
	slot_set_state(s, SLOT_DEAD);
}

void
pool_reap(struct pool *p)
{
	struct slot *s;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		/* Others are commands orphaned to us, the subreaper. */
		if ((s = find(p, pid)) != NULL)
			worker_gone(p, s, status);
	}
}

void
pool_signal(struct pool *p, int sig, bool old)
{
	for (size_t i = 0; i < p->sb->nslots; i++) {
		struct slot *s = &p->sb->slot[i];
		if (live(s) && s->pid > 0 &&
		    (!old || s->generation != p->generation))
			kill(s->pid, sig);
	}
}

void
pool_kill_all(struct pool *p)
{
	p->killing = true;
	for (size_t i = 0; i < p->sb->nslots; i++) {
		struct slot *s = &p->sb->slot[i];
		if (!live(s) || s->pid <= 0)
			continue;
		if (s->cmd_pgid > 0)
			kill(-s->cmd_pgid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}
