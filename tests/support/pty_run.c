/* SPDX-License-Identifier: ISC */
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clock.h"
#include "pty_run.h"

static void	child(const struct pty_run *, const struct pty_opts *,
		    const char *const *argv) __attribute__((noreturn));
static void	read_some(struct pty_run *, int timeout_ms);
static void	reap(struct pty_run *);

void
pty_spawn(struct pty_run *p, const struct pty_opts *o,
    const char *const *argv)
{
	struct pty_opts none = { 0 };
	struct winsize ws;

	if (o == NULL)
		o = &none;
	memset(p, 0, sizeof(*p));
	ws = (struct winsize){ .ws_row = o->rows ? o->rows : 24,
	    .ws_col = o->cols ? o->cols : 80 };
	cr_assert_eq(openpty(&p->master, &p->slave, NULL, NULL, &ws), 0,
	    "openpty: %s", strerror(errno));
	cr_assert_eq(tcgetattr(p->slave, &p->before), 0);
	p->out = calloc(1, 1);
	cr_assert_not_null(p->out);
	p->pid = fork();
	cr_assert_neq(p->pid, -1, "fork: %s", strerror(errno));
	if (p->pid == 0)
		child(p, o, argv);
	cr_assert_eq(fcntl(p->master, F_SETFL, O_NONBLOCK), 0);
	(void)fcntl(p->master, F_SETFD, FD_CLOEXEC);
	(void)fcntl(p->slave, F_SETFD, FD_CLOEXEC);
}

/* The program is the session leader, the pty its controlling terminal. */
static void
child(const struct pty_run *p, const struct pty_opts *o,
    const char *const *argv)
{
	int err;

	if (setsid() == -1 || ioctl(p->slave, TIOCSCTTY, 0) == -1 ||
	    dup2(p->slave, 0) == -1 || dup2(p->slave, 1) == -1 ||
	    dup2(p->slave, 2) == -1)
		_exit(126);
	if (o->err_path != NULL && ((err = open(o->err_path, O_WRONLY |
	    O_CREAT | O_TRUNC, 0600)) == -1 || dup2(err, 2) == -1))
		_exit(126);
	close(p->master);
	close(p->slave);
	if (o->term != NULL)
		setenv("TERM", o->term, 1);
	else
		unsetenv("TERM");
	signal(SIGPIPE, SIG_DFL);
	execv(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

void
pty_type(struct pty_run *p, const char *s)
{
	size_t n = strlen(s);
	long long deadline = now_ms() + 10000;

	while (n > 0) {
		ssize_t k = write(p->master, s, n);
		if (k > 0) {
			s += k;
			n -= (size_t)k;
			continue;
		}
		cr_assert(k == -1 && (errno == EAGAIN || errno == EINTR),
		    "write to the pty: %s", strerror(errno));
		cr_assert_lt(now_ms(), deadline, "the pty takes no input");
		read_some(p, 10);
	}
}

int
pty_expect(struct pty_run *p, const char *needle, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char *at;

	for (bool last = false; ; ) {
		if ((at = strstr(p->out + p->seen, needle)) != NULL) {
			p->seen = (size_t)(at - p->out) + strlen(needle);
			return 0;
		}
		/* Gone, it shows nothing more: one last read, then no. */
		if (last || now_ms() >= deadline)
			return -1;
		read_some(p, 20);
		reap(p);
		last = p->exited;
		if (last)
			read_some(p, 0);
	}
}

void
pty_resize(struct pty_run *p, unsigned short rows, unsigned short cols)
{
	struct winsize ws = { .ws_row = rows, .ws_col = cols };

	cr_assert_eq(ioctl(p->master, TIOCSWINSZ, &ws), 0);
}

int
pty_wait(struct pty_run *p, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (!p->exited) {
		if (now_ms() >= deadline) {
			kill(p->pid, SIGKILL);
			while (waitpid(p->pid, &p->status, 0) == -1 &&
			    errno == EINTR)
				;
			p->exited = true;
			cr_assert_fail("the program did not exit in %d ms; "
			    "it showed:\n%s", timeout_ms, p->out);
		}
		read_some(p, 20);
		reap(p);
	}
	read_some(p, 0);
	return p->status;
}

/* Appends what the pty shows within timeout_ms (once, if anything). */
static void
read_some(struct pty_run *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms < 0 ? 0 : timeout_ms) <= 0)
		return;
	while ((n = read(p->master, buf, sizeof(buf))) > 0) {
		p->out = realloc(p->out, p->len + (size_t)n + 1);
		cr_assert_not_null(p->out);
		memcpy(p->out + p->len, buf, (size_t)n);
		p->len += (size_t)n;
		p->out[p->len] = '\0';
	}
}

static void
reap(struct pty_run *p)
{
	pid_t r;

	do {
		r = waitpid(p->pid, &p->status, WNOHANG);
	} while (r == -1 && errno == EINTR);
	if (r == p->pid)
		p->exited = true;
}

bool
pty_settings_unchanged(const struct pty_run *p)
{
	struct termios now;

	if (tcgetattr(p->slave, &now) == -1)
		return false;
	return now.c_iflag == p->before.c_iflag &&
	    now.c_oflag == p->before.c_oflag &&
	    now.c_cflag == p->before.c_cflag &&
	    now.c_lflag == p->before.c_lflag &&
	    memcmp(now.c_cc, p->before.c_cc, sizeof(now.c_cc)) == 0;
}

void
pty_free(struct pty_run *p)
{
	if (!p->exited && p->pid > 0) {
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	close(p->master);
	close(p->slave);
	free(p->out);
	memset(p, 0, sizeof(*p));
}
