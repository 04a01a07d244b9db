/* SPDX-License-Identifier: ISC */
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "wsignal.h"

void
wsignal_open(struct wsignal *ws, struct listeners *l, pid_t master)
{
	sigset_t mask;

	ws->l = l;
	ws->stopping = false;
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
	if ((ws->fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	/*
	 * A master killed outright must not leave workers holding the port:
	 * its death stops them like a graceful shutdown (the command running
	 * now still finishes).  Checked after arming, as it may already be gone.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		fatal("prctl");
	if (getppid() != master)
		(void)raise(SIGTERM);
}

int
wsignal_wait(struct wsignal *ws, int fd, short events, long long deadline)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = events },
		{ .fd = ws->fd, .events = POLLIN },
	};
	int n = poll(p, 2, deadline_timeout(deadline, now_ms()));

	if (n == -1 && errno != EINTR)
		fatal("poll");
	if (n <= 0)
		return 0;
	if (p[1].revents && (wsignal_read(ws) & WSIG_KILL_NOW))
		return -1;
	return p[0].revents != 0;
}

int
wsignal_read(struct wsignal *ws)
{
	struct signalfd_siginfo si;
	int what = 0;

	while (read(ws->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM && !ws->stopping) {
			/* Once every process closed them, the kernel refuses. */
			ws->stopping = true;
			listen_close(ws->l);
		} else if (si.ssi_signo == SIGUSR1)
			what |= WSIG_KILL_NOW;
		else if (si.ssi_signo == SIGCHLD)
			what |= WSIG_CHILD;
	}
	return what;
}
