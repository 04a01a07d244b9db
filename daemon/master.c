/* SPDX-License-Identifier: ISC */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <bsd/unistd.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "master.h"
#include "pool.h"
#include "spawner.h"

/*
 * The master wakes for signals (a worker exited, or took the last idle
 * slot), for what is due (backoff, retiring, shutdown steps, every 10 ms
 * while short of workers), and at least this often to refresh the status
 * systemd shows.
 */
#define STATUS_MS	1000
/* After telling workers to kill their commands, how long until SIGKILL. */
#define HARD_STOP_EXTRA_MS	3000

enum phase {
	RUNNING,
	DRAINING,	/* workers finish their commands */
	KILLING,	/* workers were told to end their commands */
	KILLED		/* everything got SIGKILL */
};

struct master {
	struct config		*cf;
	const struct config_opts *opts;
	struct listeners	*l;
	struct pool		 pool;
	int			 sigfd;
	enum phase		 phase;
	long long		 next_step;	/* of the shutdown */
	size_t			 status_alive, status_busy;
};

static int	setup_signals(void);
static void	master_sigset(sigset_t *mask);
static void	loop(struct master *m);
static int	next_wake(const struct master *m);
static void	read_signals(struct master *m);
static void	shutdown_begin(struct master *m);
static void	reload(struct master *m);
static bool	same_listen(const struct config *a, const struct config *b);
static void	shutdown_step(struct master *m);
static void	notify_status(struct master *m, const struct tally *t);

void
master_run(struct config *cf, const struct config_opts *opts,
    struct listeners *l)
{
	struct master m = { .cf = cf, .opts = opts, .l = l };
	struct tally t;

	m.sigfd = setup_signals();
	/* Orphans of commands come to us to be reaped, not to init. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("PR_SET_CHILD_SUBREAPER");
	setproctitle("master");
	spawner_init(cf);
	pool_init(&m.pool, cf, l, m.sigfd);
	pool_tally(&m.pool, &t);
	pool_maintain(&m.pool, &t);
	sd_notifyf(0, "READY=1\nMAINPID=%d", (int)getpid());
	if (geteuid() == 0 && cf->user[0] == '\0' && !cf->allow_root)
		log_warnx("commands run as root: set user = NAME, or "
		    "allow_root = yes to silence this");
	if (cf->worker_fallback)
		log_warnx("no account %s for the workers: they run as %s, "
		    "which no command may use (create it: systemd-sysusers)",
		    WORKER_USER, cf->worker_user);
	log_info("started, %d workers, pid %d", cf->workers, (int)getpid());
	loop(&m);
	sd_notify(0, "STATUS=stopped");
	log_info("stopped");
	exit(0);
}

static int
setup_signals(void)
{
	sigset_t mask;
	int fd;

	master_block_signals();
	master_sigset(&mask);
	/* SIGUSR1 stays blocked only for the workers to inherit. */
	sigdelset(&mask, SIGUSR1);
	if ((fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	return fd;
}

static void
master_sigset(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGUSR1);
	/* From a worker that took the last idle slot: grow the pool now. */
	sigaddset(mask, SIGUSR2);
}

static void
loop(struct master *m)
{
	struct pollfd p[2] = {
		{ .fd = m->sigfd, .events = POLLIN },
		{ .fd = spawner_fd(), .events = POLLIN },
	};
	struct tally t;

	for (;;) {
		if (poll(p, 2, next_wake(m)) == -1 && errno != EINTR)
			fatal("poll");
		read_signals(m);
		spawner_run();
		pool_reap(&m->pool);
		pool_tally(&m->pool, &t);
		if (m->phase == RUNNING)
			pool_maintain(&m->pool, &t);
		else if (t.alive == 0)
			return;
		else
			shutdown_step(m);
		notify_status(m, &t);
	}
}

/* Until the next thing due: -1 (a signal will come) when nothing is. */
static int
next_wake(const struct master *m)
{
	long long now = now_ms(), t = now + STATUS_MS;

	deadline_merge(&t, spawner_next_at());
	if (m->phase == RUNNING)
		deadline_merge(&t, pool_next_at(&m->pool));
	else if (m->phase != KILLED)
		deadline_merge(&t, m->next_step);
	return deadline_timeout(t, now);
}

static void
read_signals(struct master *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			shutdown_begin(m);
			break;
		case SIGHUP:
			reload(m);
			break;
		default:
			break;	/* SIGCHLD, SIGUSR2: the pool is looked at below */
		}
	}
}

static void
shutdown_begin(struct master *m)
{
	if (m->phase != RUNNING) {
		/* A second request: stop waiting for commands. */
		if (m->phase == DRAINING)
			m->next_step = now_ms();
		return;
	}
	log_info("shutting down");
	sd_notify(0, "STOPPING=1");
	listen_close(m->l);
	pool_signal(&m->pool, SIGTERM, false);
	m->phase = DRAINING;
	m->next_step = now_ms() + (long long)m->cf->shutdown_timeout * 1000;
}

static void
reload(struct master *m)
{
	static struct config nc;
	char err[512];

	if (m->phase != RUNNING)
		return;
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)now_us());
	/* As rexecd would refuse to start with it (commands.md). */
	if (config_load(&nc, m->opts, err, sizeof(err)) == -1 ||
	    listen_recheck(&nc, m->l, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the configuration: %s", err);
	} else {
		if (!same_listen(m->cf, &nc))
			log_warnx("listen and port changes need a restart");
		memcpy(nc.listen, m->cf->listen, sizeof(nc.listen));
		nc.nlisten = m->cf->nlisten;
		nc.port = m->cf->port;
		*m->cf = nc;
		log_setlevel(m->cf->log_level);
		m->pool.generation++;
		scoreboard_set_generation(m->pool.sb, m->pool.generation);
		/* Idle ones leave now, busy ones after their command. */
		pool_signal(&m->pool, SIGTERM, true);
		log_info("configuration reloaded, generation %u",
		    m->pool.generation);
	}
	sd_notify(0, "READY=1");
}

static bool
same_listen(const struct config *a, const struct config *b)
{
	if (a->nlisten != b->nlisten || a->port != b->port)
		return false;
	for (size_t i = 0; i < a->nlisten; i++)
		if (strcmp(a->listen[i], b->listen[i]) != 0)
			return false;
	return true;
}

static void
shutdown_step(struct master *m)
{
	if (now_ms() < m->next_step)
		return;
	if (m->phase == DRAINING) {
		log_info("shutdown_timeout: ending running commands");
		pool_signal(&m->pool, SIGUSR1, false);
		m->phase = KILLING;
		m->next_step = now_ms() + (long long)m->cf->kill_grace * 1000 +
		    HARD_STOP_EXTRA_MS;
	} else if (m->phase == KILLING) {
		log_warnx("workers still running: killing them");
		pool_kill_all(&m->pool);
		m->phase = KILLED;
	}
}

static void
notify_status(struct master *m, const struct tally *t)
{
	size_t alive = t->alive;
	size_t busy = t->state[SLOT_READING] + t->state[SLOT_BUSY];

	if (alive == m->status_alive && busy == m->status_busy)
		return;
	m->status_alive = alive;
	m->status_busy = busy;
	sd_notifyf(0, "STATUS=%zu workers, %zu busy%s", alive, busy,
	    m->phase == RUNNING ? "" : ", stopping");
}

void
master_block_signals(void)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	/* Inherited as ignored, SIGCHLD would have the kernel reap the
	 * workers behind our back: their deaths would go unseen. */
	signal(SIGCHLD, SIG_DFL);
	master_sigset(&mask);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) == -1)
		fatal("sigprocmask");
}
