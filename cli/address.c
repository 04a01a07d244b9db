#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "fail.h"

static int	 family = AF_UNSPEC;

static int	 split_user(const char **, struct address *);
static int	 split_bracketed(const char *, struct address *);
static int	 connect_one(const struct addrinfo *, int timeout_ms);
static int	 wait_connected(int fd, int timeout_ms);

int
address_parse(const char *arg, struct address *a)
{
	const char *colon;

	a->user = a->host = a->port = NULL;
	if (split_user(&arg, a) == -1)
		return -1;
	colon = strchr(arg, ':');
	if (arg[0] == '[') {
		if (split_bracketed(arg, a) == -1) {
			address_free(a);
			return -1;
		}
		return 0;
	}
	/* More than one colon: an IPv6 address without a port, as ssh reads it. */
	if (colon == NULL || strchr(colon + 1, ':') != NULL) {
		a->host = strdup(arg);
	} else {
		a->host = strndup(arg, (size_t)(colon - arg));
		a->port = strdup(colon + 1);
		if (a->port == NULL || a->port[0] == '\0')
			goto bad;
	}
	if (a->host == NULL || a->host[0] == '\0')
		goto bad;
	return 0;
bad:
	address_free(a);
	report("invalid address '%s'", arg);
	return -1;
}

/* "user@host": the last '@' ends the account, as ssh reads it. */
static int
split_user(const char **arg, struct address *a)
{
	const char *at = strrchr(*arg, '@');

	if (at == NULL)
		return 0;
	if (at == *arg) {
		report("invalid address '%s': no account before '@'", *arg);
		return -1;
	}
	if ((a->user = strndup(*arg, (size_t)(at - *arg))) == NULL) {
		report("out of memory");
		return -1;
	}
	*arg = at + 1;
	return 0;
}

static int
split_bracketed(const char *arg, struct address *a)
{
	const char *close = strchr(arg, ']');

	if (close == NULL || close == arg + 1 ||
	    (close[1] != '\0' && (close[1] != ':' || close[2] == '\0'))) {
		report("invalid address '%s'", arg);
		return -1;
	}
	a->host = strndup(arg + 1, (size_t)(close - arg - 1));
	if (close[1] == ':')
		a->port = strdup(close + 2);
	if (a->host == NULL || (close[1] == ':' && a->port == NULL)) {
		report("out of memory");
		return -1;
	}
	return 0;
}

void
address_free(struct address *a)
{
	free(a->user);
	free(a->host);
	free(a->port);
	a->user = a->host = a->port = NULL;
}

void
address_set_family(int af)
{
	family = af;
}

int
address_connect(const char *host, const char *port, int timeout_ms)
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
	int fd, one = 1, saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
	    (errno == EINPROGRESS && wait_connected(fd, timeout_ms) == 0)) {
		/* The exec frame goes out at once: no Nagle delay. */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		return fd;
	}
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
