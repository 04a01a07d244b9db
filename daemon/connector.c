/* SPDX-License-Identifier: ISC */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <netdb.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "connector.h"
#include "spawn.h"
#include "spawnmsg.h"

/* The connector's end of the socketpair, once its other fds are gone. */
#define CONNECTOR_FD	3

static void	connector_main(const struct config *, const struct account *,
		    const struct connect_req *) __attribute__((noreturn));
static void	answer_failed(enum err_code, const char *fmt, ...)
		    __attribute__((noreturn, format(printf, 2, 3)));
static int	connect_one(const struct addrinfo *, long long deadline);

int
connector_start(const struct config *cf, const struct account *a,
    const struct connect_req *req, pid_t *pid, int *worker_end,
    struct proto_error *e)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		proto_error_set(e, ERR_INTERNAL, "socketpair: %s",
		    strerror(errno));
		return -1;
	}
	if ((*pid = fork()) == -1) {
		proto_error_set(e, ERR_INTERNAL, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid == 0) {
		if (dup2(sv[1], CONNECTOR_FD) == -1)
			_exit(127);
		connector_main(cf, a, req);
	}
	/* Both sides: the spawner may signal the group before the child
	 * ran a line. */
	(void)setpgid(*pid, *pid);
	close(sv[1]);
	*worker_end = sv[0];
	return 0;
}

/*
 * The child: nothing of the master's but the request and the account.
 * SIGALRM bounds the lookup, which has no timeout of its own; the
 * worker then sees the socketpair close with no answer.
 */
static void
connector_main(const struct config *cf, const struct account *a,
    const struct connect_req *req)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV }, *res, *ai;
	long long deadline = now_ms() + cf->connect_timeout * 1000LL;
	char port[8];
	sigset_t alrm;
	int fd, err = ETIMEDOUT, r;

	(void)setpgid(0, 0);
	(void)syscall(SYS_close_range, CONNECTOR_FD + 1, ~0U, 0);
	signal(SIGALRM, SIG_DFL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	alarm((unsigned)cf->connect_timeout + 1);
	if (spawn_become(a) == -1)
		answer_failed(ERR_INTERNAL, "cannot take the account's "
		    "identity: %s", strerror(errno));
	/* It holds a copy of the master's memory (the token among it) and,
	 * unlike a command, never execs: the account may not trace it, even
	 * where fs.suid_dumpable would let it. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		answer_failed(ERR_INTERNAL, "prctl: %s", strerror(errno));
	snprintf(port, sizeof(port), "%u", req->port);
	if ((r = getaddrinfo(req->host, port, &hints, &res)) != 0)
		answer_failed(ERR_CONNECT, "%s: %s", req->host,
		    r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = connect_one(ai, deadline)) >= 0) {
			struct spawn_msg m = { .type = SM_STARTED };

			(void)spawnmsg_send(CONNECTOR_FD, &m, NULL, &fd, 1);
			_exit(0);
		}
		err = -fd;
	}
	answer_failed(ERR_CONNECT, "%s port %s: %s", req->host, port,
	    strerror(err));
}

/* _exit: the master's atexit handlers and stdio are not ours. */
static void
answer_failed(enum err_code code, const char *fmt, ...)
{
	struct spawn_msg m = { .type = SM_FAILED, .arg = (int)code };
	char text[PROTO_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	(void)spawnmsg_send(CONNECTOR_FD, &m, text, NULL, 0);
	_exit(1);
}

/* A connected socket, or -errno. */
static int
connect_one(const struct addrinfo *ai, long long deadline)
{
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd, err = 0, r;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol)) == -1)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		err = errno;
		close(fd);
		return -err;
	}
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	while ((r = poll(&p, 1, deadline_timeout(deadline, now_ms()))) == -1 &&
	    errno == EINTR)
		;
	if (r == 0)
		err = ETIMEDOUT;
	else if (r == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
	    &len) == -1)
		err = errno;
	if (err == 0)
		return fd;
	close(fd);
	return -err;
}
