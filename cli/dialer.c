/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "dialer.h"

static int	 literal(struct dialer *, int family);
static void	 resolved(void *, struct netaddr *, size_t, const char *);
static void	 try_next(struct dialer *);
static void	 connected(struct dialer *);
static void	 next_address(struct dialer *, int err);
static void	 fail(struct dialer *, int resolve, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

void
dialer_start(struct dialer *d, const char *name, const char *port,
    int family, int timeout_ms)
{
	*d = (struct dialer){ .name = name, .port = port, .sock = -1,
	    .timeout_ms = timeout_ms, .state = DIAL_RESOLVING };
	if (literal(d, family) == 0)
		return;
	d->lookup = resolver_lookup(name, port, family, resolved, d, d->why,
	    sizeof(d->why));
	if (d->lookup == NULL) {
		d->state = DIAL_FAILED;
		d->resolve_failed = 1;
	}
}

/* An address literal is no lookup: neither resolv.conf nor the hosts
 * file is read for it.  -1: a name. */
static int
literal(struct dialer *d, int family)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	struct addrinfo *res;
	struct netaddr *a;
	int err;

	if ((err = getaddrinfo(d->name, d->port, &hints, &res)) == EAI_NONAME)
		return -1;
	if (err != 0) {
		fail(d, 1, "cannot resolve: %s", err == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(err));
		return 0;
	}
	if (res->ai_addrlen > sizeof(a->ss) ||
	    (a = calloc(1, sizeof(*a))) == NULL) {
		freeaddrinfo(res);
		fail(d, 1, "cannot resolve: out of memory");
		return 0;
	}
	a->len = res->ai_addrlen;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	resolved(d, a, 1, NULL);
	return 0;
}

static void
resolved(void *arg, struct netaddr *addrs, size_t n, const char *why)
{
	struct dialer *d = arg;

	d->lookup = NULL;
	if (addrs == NULL) {
		fail(d, 1, "%s", why);
		return;
	}
	d->addrs = addrs;
	d->naddrs = n;
	dialer_redial(d);
}

void
dialer_redial(struct dialer *d)
{
	if (d->sock != -1)
		close(d->sock);
	d->sock = -1;
	d->next = 0;
	d->saved_errno = 0;
	try_next(d);
}

/* Addresses from d->next on, until one connects or is in progress. */
static void
try_next(struct dialer *d)
{
	while (d->next < d->naddrs) {
		const struct netaddr *a = &d->addrs[d->next++];
		d->sock = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (d->sock == -1) {
			d->saved_errno = errno;
			continue;
		}
		if (connect(d->sock, (const struct sockaddr *)&a->ss,
		    a->len) == 0) {
			connected(d);
			return;
		}
		if (errno == EINPROGRESS) {
			d->state = DIAL_CONNECTING;
			d->deadline = now_ms() + d->timeout_ms;
			return;
		}
		d->saved_errno = errno;
		close(d->sock);
		d->sock = -1;
	}
	fail(d, 0, "cannot connect to port %s: %s", d->port,
	    strerror(d->saved_errno ? d->saved_errno : ECONNREFUSED));
}

static void
connected(struct dialer *d)
{
	int one = 1;

	/* The request goes out at once: no Nagle delay. */
	(void)setsockopt(d->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	d->state = DIAL_UP;
	d->deadline = 0;
}

void
dialer_pollfd(const struct dialer *d, struct pollfd *pfd, long long *deadline)
{
	*pfd = (struct pollfd){ .fd = -1 };
	if (d->state != DIAL_CONNECTING)
		return;
	*pfd = (struct pollfd){ .fd = d->sock, .events = POLLOUT };
	deadline_merge(deadline, d->deadline);
}

void
dialer_ready(struct dialer *d)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (d->state != DIAL_CONNECTING)
		return;
	if (getsockopt(d->sock, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == 0)
		connected(d);
	else
		next_address(d, soerr);
}

void
dialer_tick(struct dialer *d, long long now)
{
	if (d->state == DIAL_CONNECTING && now >= d->deadline)
		next_address(d, ETIMEDOUT);
}

/* This address failed with err: the next one. */
static void
next_address(struct dialer *d, int err)
{
	d->saved_errno = err;
	close(d->sock);
	d->sock = -1;
	try_next(d);
}

void
dialer_free(struct dialer *d)
{
	resolver_forget(d->lookup);
	d->lookup = NULL;
	if (d->sock != -1)
		close(d->sock);
	d->sock = -1;
	free(d->addrs);
	d->addrs = NULL;
}

static void
fail(struct dialer *d, int resolve, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->why, sizeof(d->why), fmt, ap);
	va_end(ap);
	d->state = DIAL_FAILED;
	d->resolve_failed = resolve;
	d->deadline = 0;
}
