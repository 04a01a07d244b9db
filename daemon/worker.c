#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <bsd/unistd.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "log.h"
#include "session.h"
#include "worker.h"

#define EMFILE_BACKOFF_MS	100

static void	worker_exit(struct worker *) __attribute__((noreturn));

static void
worker_setup_signals(struct worker *w)
{
	sigset_t mask;

	/* ^C on a terminal reaches the whole group: the master decides. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	/* Where pidfd_open is missing (valgrind), SIGCHLD tells of exits. */
	sigaddset(&mask, SIGCHLD);
	if (sigprocmask(SIG_SETMASK, &mask, NULL) == -1)
		fatal("sigprocmask");
	if ((w->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	/*
	 * A master killed outright must not leave workers holding the port:
	 * its death stops them like a graceful shutdown (the command running
	 * now still finishes).  Checked after arming, as it may already be gone.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl");
	if (getppid() != w->master)
		(void)raise(SIGTERM);
}

static void
worker_setup_epoll(struct worker *w)
{
	struct epoll_event ev = { 0 };

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	/* EPOLLEXCLUSIVE: one connection wakes one idle worker, not all. */
	for (size_t i = 0; i < w->l->n; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.fd = w->l->fd[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->l->fd[i], &ev) == -1)
			fatal("epoll_ctl");
	}
	ev.events = EPOLLIN;
	ev.data.fd = w->sigfd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->sigfd, &ev) == -1)
		fatal("epoll_ctl");
}

/* Stop accepting: once every process closed them, the kernel refuses. */
static void
stop_listening(struct worker *w)
{
	if (w->epfd != -1) {
		close(w->epfd);
		w->epfd = -1;
	}
	listen_close(w->l);
}

int
worker_signals(struct worker *w)
{
	struct signalfd_siginfo si;
	int what = 0;

	while (read(w->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM) {
			w->stopping = true;
			stop_listening(w);
		} else if (si.ssi_signo == SIGUSR1)
			what |= WORKER_KILL_NOW;
		else if (si.ssi_signo == SIGCHLD)
			what |= WORKER_CHILD;
	}
	return what;
}

/*
 * The master looks at the pool only when something is due; taking the
 * last idle worker is when it must grow, before the next connection
 * waits for a fork.  (Several may tell it at once: that is harmless.)
 */
void
worker_taken(const struct worker *w)
{
	/* Our own slot is READING by now: it is not counted. */
	if (scoreboard_count(w->sb, SLOT_IDLE, 0, 1) == 0)
		(void)kill(w->master, SIGUSR2);
}

static void
worker_exit(struct worker *w)
{
	slot_set_state(w->slot, SLOT_EXITING);
	exit(0);
}

static void
accept_one(struct worker *w, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("accept");
			(void)poll(NULL, 0, EMFILE_BACKOFF_MS);
		}
		return;
	}
	session_serve(w, fd, &ss);
	w->slot->requests++;
}

static void
serve(struct worker *w)
{
	struct epoll_event ev[LISTEN_FDS_MAX + 1];
	int n;

	while (!w->stopping && (w->cf->max_requests == 0 ||
	    (long long)w->slot->requests < w->cf->max_requests)) {
		slot_set_state(w->slot, SLOT_IDLE);
		setproctitle("worker idle");
		n = epoll_wait(w->epfd, ev, LISTEN_FDS_MAX + 1, -1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("epoll_wait");
		for (int i = 0; i < n && !w->stopping; i++) {
			if (ev[i].data.fd == w->sigfd)
				(void)worker_signals(w);
			else
				accept_one(w, ev[i].data.fd);
		}
	}
}

void
worker_main(const struct config *cf, struct scoreboard *sb,
    struct slot *slot, struct listeners *l, pid_t master)
{
	struct worker w = {
		.cf = cf, .sb = sb, .slot = slot, .l = l, .epfd = -1,
		.master = master,
	};

	log_settag("worker");
	slot->pid = getpid();
	worker_setup_signals(&w);
	worker_setup_epoll(&w);
	if ((w.buf = malloc(FRAME_DATA_CHUNK)) == NULL)
		fatal("malloc");
	serve(&w);
	log_debug("exiting after %lu requests", slot->requests);
	worker_exit(&w);
}
