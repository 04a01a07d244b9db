/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "cmdgroup.h"
#include "log.h"
#include "policy.h"
#include "pool.h"
#include "spawner.h"
#include "worker.h"

#define EARLY_DEATH_MS		1000
#define BACKOFF_FIRST_MS	250
#define BACKOFF_MAX_MS		30000
#define RETIRE_EVERY_MS		200
/* How often the pool is looked at while it is short of workers. */
#define SHORT_TICK_MS		10

static size_t	queued(const struct pool *);
static int	spawn_worker(struct pool *);
static void	retire_one(struct pool *);
static void	backoff(struct pool *);
static struct slot *find(struct pool *, pid_t);
static void	reap_orphans(struct pool *);
static void	worker_gone(struct pool *, struct slot *, int status);

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
	scoreboard_set_generation(p->sb, p->generation);
	p->spawn_rate = 1;
}

void
pool_tally(const struct pool *p, struct tally *t)
{
	scoreboard_tally(p->sb, p->generation, now_ms() - STARTUP_SLOW_MS, t);
}

void
pool_maintain(struct pool *p, const struct tally *t)
{
	size_t want, waiting, max = (size_t)p->cf->max_workers;

	p->short_of_workers = p->retiring = false;
	if (now_ms() < p->backoff_until)
		return;
	waiting = queued(p);
	want = policy_spawn(p->cf, t, waiting, &p->spawn_rate);
	for (size_t i = 0; i < want; i++)
		if (spawn_worker(p) == -1)
			break;
	/* Watched closely while the next connection would wait. */
	p->short_of_workers = (t->cur_idle == 0 || waiting > 0) &&
	    t->alive + want < max;
	if (!policy_retire(p->cf, t, waiting))
		return;
	p->retiring = true;
	if (now_ms() - p->last_retire >= RETIRE_EVERY_MS)
		retire_one(p);
}

/* Connections waiting in the listening sockets' accept queues. */
static size_t
queued(const struct pool *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->l->n; i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		/* For a listening socket: the accept queue's length. */
		if (getsockopt(p->l->fd[i], IPPROTO_TCP, TCP_INFO, &ti,
		    &len) == 0 && ti.tcpi_state == TCP_LISTEN)
			n += ti.tcpi_unacked;
	}
	return n;
}

static int
spawn_worker(struct pool *p)
{
	struct slot *s = slot_start(p->sb, p->generation);
	pid_t master = getpid(), pid;
	int link, wend;

	if (s == NULL)
		return -1;
	if ((link = spawner_link_open(&wend)) == -1) {
		log_warn("socketpair");
		slot_dead(s);
		backoff(p);
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("fork");
		close(wend);
		spawner_link_drop(link);
		slot_dead(s);
		backoff(p);
		return -1;
	}
	if (pid == 0) {
		/* Other workers' links and the commands' pidfds: a worker
		 * holding them could speak for another. */
		close(p->close_in_child);
		spawner_close_inherited();
		worker_main(p->cf, p->sb, s, p->l, master, wend);
	}
	close(wend);
	spawner_link_bind(link, pid);
	slot_pid(s, pid);
	log_debug("started worker %d", pid);
	return 0;
}

static void
retire_one(struct pool *p)
{
	struct slot *s = NULL;

	while ((s = scoreboard_next(p->sb, s)) != NULL) {
		if (s->generation == p->generation &&
		    slot_state(s) == SLOT_IDLE && s->pid > 0) {
			log_debug("retiring idle worker %d", s->pid);
			kill(s->pid, SIGTERM);
			p->last_retire = now_ms();
			return;
		}
	}
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

long long
pool_next_at(const struct pool *p)
{
	long long now = now_ms();

	if (p->backoff_until > now)
		return p->backoff_until;
	if (p->short_of_workers)
		return now + SHORT_TICK_MS;
	if (p->retiring)
		return p->last_retire + RETIRE_EVERY_MS;
	return 0;
}

/*
 * Children are reaped by pid, never with waitpid(-1): the commands'
 * leaders are our children too, and the spawner keeps each unreaped
 * until its worker is done with it (cmdgroup.h).
 */
void
pool_reap(struct pool *p)
{
	struct slot *s = NULL;
	int status;
	pid_t r;

	while ((s = scoreboard_next(p->sb, s)) != NULL) {
		if (s->pid <= 0)
			continue;
		while ((r = waitpid(s->pid, &status, WNOHANG)) == -1 &&
		    errno == EINTR)
			;
		if (r == s->pid)
			worker_gone(p, s, status);
	}
	reap_orphans(p);
}

/* Commands' orphans come to us, the subreaper: those that exited. */
static void
reap_orphans(struct pool *p)
{
	static pid_t kids[CHILDREN_MAX];
	int n = cmd_children(kids, CHILDREN_MAX);
	bool reaped = false;

	for (int i = 0; i < n; i++)
		if (find(p, kids[i]) == NULL && !spawner_owns(kids[i]) &&
		    waitpid(kids[i], NULL, WNOHANG | __WALL) > 0)
			reaped = true;
	/* The last process of a group being waited for, perhaps. */
	if (reaped)
		spawner_orphan_reaped();
}

static struct slot *
find(struct pool *p, pid_t pid)
{
	struct slot *s = NULL;

	while ((s = scoreboard_next(p->sb, s)) != NULL)
		if (s->pid == pid)
			return s;
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
	slot_dead(s);
}

void
pool_signal(struct pool *p, int sig, bool old)
{
	struct slot *s = NULL;

	while ((s = scoreboard_next(p->sb, s)) != NULL)
		if (s->pid > 0 && (!old || s->generation != p->generation))
			kill(s->pid, sig);
}

void
pool_kill_all(struct pool *p)
{
	struct slot *s = NULL;

	p->killing = true;
	while ((s = scoreboard_next(p->sb, s)) != NULL) {
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
	}
	spawner_kill_all();
}
