/* SPDX-License-Identifier: ISC */
#include <sys/signalfd.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "signals.h"
#include "terminal.h"

static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static int signal_fd = -1;

int
signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		struct sigaction old;
		/* Ignored (nohup, a background job): the user wants it so. */
		if (sigaction(forwarded[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaddset(&set, forwarded[i]);
	}
	/* A window change, for a pty session; ignored by default anyway. */
	sigaddset(&set, SIGWINCH);
	/* Blocked, they wait in the signalfd: none slips between checks. */
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	return signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int
signals_fd(void)
{
	return signal_fd;
}

void
signals_close(void)
{
	if (signal_fd != -1)
		close(signal_fd);
	signal_fd = -1;
}

/* Re-raised unblocked, so the parent sees what ended rexec (issue 19). */
void
signals_end_now(void)
{
	sigset_t set;
	int signo;

	while ((signo = signals_next(signal_fd)) > 0) {
		if (signo == SIGWINCH)
			continue;
		term_restore();
		signal(signo, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, signo);
		(void)sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(signo);
		_exit(128 + signo);
	}
}

int
signals_next(int sigfd)
{
	struct signalfd_siginfo si;
	ssize_t n;

	while ((n = read(sigfd, &si, sizeof(si))) == -1 && errno == EINTR)
		;
	if (n == sizeof(si))
		return (int)si.ssi_signo;
	if (n == -1 && errno == EAGAIN)
		return 0;
	return -1;
}
