#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dial.h"
#include "fail.h"

static int	connect_one(const struct addrinfo *, int timeout_ms);
static int	wait_connected(int fd, int timeout_ms);

int
dial(const char *host, const char *port, int family, int timeout_ms)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV,
	};
	struct addrinfo *res, *ai;
	int fd = -1, err, saved = ECONNREFUSED;

	if ((err = getaddrinfo(host, port, &hints, &res)) != 0) {
		report("cannot resolve: %s",
		    err == EAI_SYSTEM ? strerror(errno) : gai_strerror(err));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		if ((fd = connect_one(ai, timeout_ms)) == -1)
			saved = errno;
	freeaddrinfo(res);
	if (fd == -1)
		report("cannot connect to port %s: %s", port, strerror(saved));
	return fd;
}

/* Connected socket, or -1 with errno. */
static int
connect_one(const struct addrinfo *ai, int timeout_ms)
{
	int fd, saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
	    (errno == EINPROGRESS && wait_connected(fd, timeout_ms) == 0))
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static int
wait_connected(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	long long deadline = now_ms() + timeout_ms;
	socklen_t len = sizeof(int);
	int n, soerr = 0;

	for (;;) {
		long long left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if ((n = poll(&pfd, 1, (int)left)) > 0)
			break;
		if (n == -1 && errno != EINTR)
			return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}
