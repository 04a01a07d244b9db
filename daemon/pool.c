#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "pool.h"
#include "worker.h"

#define SPAWN_RATE_MAX		32
#define EARLY_DEATH_MS		1000
#define BACKOFF_FIRST_MS	250
#define BACKOFF_MAX_MS		30000
#define RETIRE_EVERY_MS		200
/* How often the pool is looked at while it is short of workers. */
#define SHORT_TICK_MS		10

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

	for (size_t i = 0; i < scoreboard_slots(p->sb); i++)
		n += live(&p->sb->slot[i]);
	return n;
}

size_t
pool_busy(const struct pool *p)
{
	return scoreboard_count(p->sb, SLOT_BUSY, 0, 1) +
	    scoreboard_count(p->sb, SLOT_READING, 0, 1);
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
	struct slot *s = scoreboard_take(p->sb);
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

/* Workers of this generation, by state. */
struct counts {
	size_t	cur;		/* all of them but the exiting */
	size_t	idle;		/* waiting for a connection */
	size_t	starting;	/* forked, not yet waiting */
};

static void
count(const struct pool *p, struct counts *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < scoreboard_slots(p->sb); i++) {
		const struct slot *s = &p->sb->slot[i];
		enum slot_state st = slot_state(s);
		if (s->generation != p->generation || st == SLOT_DEAD ||
		    st == SLOT_EXITING)
			continue;
		c->cur++;
		c->idle += st == SLOT_IDLE;
		c->starting += st == SLOT_STARTING;
	}
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

static void
retire_one(struct pool *p)
{
	for (size_t i = 0; i < scoreboard_slots(p->sb); i++) {
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

/*
 * How many to start: up to the minimum; else, when no worker is idle or
 * connections wait that the starting ones will not absorb, spawn_rate
 * (doubling while that lasts) or the waiting ones, whichever is more.
 * Starting workers do not count as idle: a burst would reset the rate.
 */
static size_t
wanted(struct pool *p, const struct counts *c, size_t waiting)
{
	size_t want;

	if (c->cur < (size_t)p->cf->workers)
		return (size_t)p->cf->workers - c->cur;
	if (c->idle + c->starting > 0 && waiting <= c->starting) {
		if (c->idle > 0)
			p->spawn_rate = 1;
		return 0;
	}
	want = (size_t)p->spawn_rate;
	if (waiting > c->starting && waiting - c->starting > want)
		want = waiting - c->starting;
	if (p->spawn_rate < SPAWN_RATE_MAX)
		p->spawn_rate *= 2;
	return want;
}

void
pool_maintain(struct pool *p)
{
	size_t alive = pool_alive(p), max = (size_t)p->cf->max_workers;
	size_t want, waiting;
	struct counts c;

	p->short_of_workers = p->retiring = false;
	if (now_ms() < p->backoff_until)
		return;
	count(p, &c);
	waiting = queued(p);
	want = wanted(p, &c, waiting);
	if (alive + want > max)
		want = alive < max ? max - alive : 0;
	for (size_t i = 0; i < want; i++)
		if (spawn_worker(p) == -1)
			break;
	/* Watched closely while the next connection would wait. */
	p->short_of_workers = (c.idle == 0 || waiting > 0) &&
	    alive + want < max;
	/* Never while connections wait: they are about to take them. */
	if (waiting > 0 || c.idle <= (size_t)p->cf->max_spare ||
	    c.cur <= (size_t)p->cf->workers)
		return;
	p->retiring = true;
	if (now_ms() - p->last_retire >= RETIRE_EVERY_MS)
		retire_one(p);
}

int
pool_next_ms(const struct pool *p)
{
	long long now = now_ms(), at = 0;

	if (p->backoff_until > now)
		at = p->backoff_until;
	else if (p->short_of_workers)
		return SHORT_TICK_MS;
	else if (p->retiring)
		at = p->last_retire + RETIRE_EVERY_MS;
	if (at == 0)
		return -1;
	return at <= now ? 0 : (int)(at - now);
}

static struct slot *
find(struct pool *p, pid_t pid)
{
	for (size_t i = 0; i < scoreboard_slots(p->sb); i++)
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
	for (size_t i = 0; i < scoreboard_slots(p->sb); i++) {
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
	for (size_t i = 0; i < scoreboard_slots(p->sb); i++) {
		struct slot *s = &p->sb->slot[i];
		if (!live(s) || s->pid <= 0)
			continue;
		if (s->cmd_pgid > 0)
			kill(-s->cmd_pgid, SIGKILL);
		kill(s->pid, SIGKILL);
	}
}
