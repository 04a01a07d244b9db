/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fdio.h"
#include "fwd_util.h"

static void	serve(int ls) __attribute__((noreturn));
static void	echo(int c) __attribute__((noreturn));

void
fwd_echo_start(struct fwd_echo *e)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(ls, -1);
	cr_assert_eq(bind(ls, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(ls, 256), 0);
	cr_assert_eq(getsockname(ls, (struct sockaddr *)&sin, &len), 0);
	e->port = ntohs(sin.sin_port);
	cr_assert_neq(e->pid = fork(), -1);
	if (e->pid == 0)
		serve(ls);
	close(ls);
}

/* One process per connection: the test's target, not the daemon. */
static void
serve(int ls)
{
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* The test's end is ours too: gone with it. */
	for (;;) {
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (c == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		if ((pid = fork()) == 0) {
			close(ls);
			echo(c);
		}
		close(c);
	}
}

static void
echo(int c)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char buf[65536], trailer[64];
	ssize_t n;

	while ((n = read(c, buf, sizeof(buf))) > 0)
		if (write_full(c, buf, (size_t)n) == -1)
			_exit(1);
	if (n == -1)
		_exit(1);
	if (getpeername(c, (struct sockaddr *)&peer, &len) == -1)
		_exit(1);
	snprintf(trailer, sizeof(trailer), FWD_TRAILER_PREFIX "%ld\n",
	    fwd_socket_uid(ntohs(peer.sin_port)));
	(void)write_full(c, trailer, strlen(trailer));
	_exit(0);
}

void
fwd_echo_stop(struct fwd_echo *e)
{
	if (e->pid > 0) {
		kill(e->pid, SIGKILL);
		waitpid(e->pid, NULL, 0);
	}
	e->pid = 0;
}

int
fwd_closed_port(int *holder)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);

	*holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_neq(*holder, -1);
	cr_assert_eq(bind(*holder, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(*holder, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

long
fwd_socket_uid(int port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[512], want[32];
	long uid = -1;
	unsigned long u;

	if (f == NULL)
		return -1;
	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (fgets(line, sizeof(line), f) != NULL) {
		char local[64];

		/* sl local rem st tx:rx tr:when retrnsmt uid */
		if (sscanf(line, " %*s %63s %*s %*s %*s %*s %*s %lu", local,
		    &u) == 2 && strcmp(local, want) == 0) {
			uid = (long)u;
			break;
		}
	}
	fclose(f);
	return uid;
}
