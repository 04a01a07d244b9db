/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "fwdlisten.h"
#include "fwdreq.h"

static int	listen_spec(struct fwdlisten *, const struct fwd_spec *,
		    bool gateway, int family, const struct host *,
		    json_t *req);
static int	listen_one(struct fwdlisten *, struct addrinfo *ai,
		    int *port, const struct host *, json_t *req);
static void	set_port(struct sockaddr *, int port);
static int	bound_port(int fd);
static void	addr_text(const struct sockaddr *, char *, size_t);

int
fwdlisten_open(struct fwdlisten *fl, const struct fwdopts *f, int family,
    const struct host *h, const char *token)
{
	*fl = (struct fwdlisten){ 0 };
	for (size_t i = 0; i < f->nlocal; i++) {
		const struct fwd_spec *s = &f->local[i];
		json_t *req = fwdreq_connect(s->host, s->hostport, token);
		int r;

		if (req == NULL) {
			report_nohost("-L %s: cannot encode the connect "
			    "request", s->host);
			fwdlisten_close(fl);
			return -1;
		}
		r = listen_spec(fl, s, f->gateway, family, h, req);
		json_decref(req);
		if (r == -1) {
			fwdlisten_close(fl);
			return -1;
		}
	}
	return 0;
}

void
fwdlisten_close(struct fwdlisten *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		close(fl->l[i].fd);
		json_decref(fl->l[i].request);
	}
	free(fl->l);
	*fl = (struct fwdlisten){ 0 };
}

/*
 * As ssh: no bind address is loopback (all with -g), "" and "*" all,
 * "localhost" loopback, anything else that address.  An address of a
 * family the host lacks (no IPv6) is skipped, while another is bound.
 */
static int
listen_spec(struct fwdlisten *fl, const struct fwd_spec *s, bool gateway,
    int family, const struct host *h, json_t *req)
{
	struct addrinfo hints = { .ai_family = family,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	const char *node = NULL;
	char port[8];
	size_t before = fl->n;
	int r, portno = s->port, skipped = 0;

	if (s->bind == NULL ? gateway : s->bind[0] == '\0' ||
	    strcmp(s->bind, "*") == 0)
		hints.ai_flags |= AI_PASSIVE;
	else if (s->bind != NULL && strcmp(s->bind, "localhost") != 0)
		node = s->bind;
	snprintf(port, sizeof(port), "%d", s->port);
	if ((r = getaddrinfo(node, port, &hints, &res)) != 0) {
		report_nohost("-L: bind address %s: %s", node != NULL ? node :
		    "loopback", gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		r = listen_one(fl, ai, &portno, h, req);
		if (r == 1)
			skipped = errno;
		else if (r == -1)
			break;
	}
	freeaddrinfo(res);
	if (r != -1 && fl->n == before) {
		report_nohost("-L: cannot listen on port %d: %s", s->port,
		    strerror(skipped));
		r = -1;
	}
	return r == -1 ? -1 : 0;
}

/* 0 listening, 1 skipped (errno: why), -1 after the line. */
static int
listen_one(struct fwdlisten *fl, struct addrinfo *ai, int *port,
    const struct host *h, json_t *req)
{
	struct engine_listen *v;
	char addr[INET6_ADDRSTRLEN];
	int fd, one = 1;

	if ((v = reallocarray(fl->l, fl->n + 1, sizeof(*v))) == NULL) {
		report_nohost("out of memory");
		return -1;
	}
	fl->l = v;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1 && (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT))
		return 1;
	/* Port 0: the port the first address got, on the others too. */
	set_port(ai->ai_addr, *port);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, SOMAXCONN) == -1) {
		int err = errno;
		if (fd != -1)
			close(fd);
		errno = err;
		if (err == EADDRNOTAVAIL && ai->ai_next != NULL)
			return 1;
		addr_text(ai->ai_addr, addr, sizeof(addr));
		report_nohost("-L: cannot listen on %s port %d: %s", addr,
		    *port, strerror(err));
		return -1;
	}
	if (*port == 0)
		*port = bound_port(fd);
	v[fl->n++] = (struct engine_listen){ .fd = fd,
	    .request = json_incref(req), .host = h };
	return 0;
}

static void
set_port(struct sockaddr *sa, int port)
{
	if (sa->sa_family == AF_INET)
		((struct sockaddr_in *)(void *)sa)->sin_port =
		    htons((uint16_t)port);
	else if (sa->sa_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)sa)->sin6_port =
		    htons((uint16_t)port);
}

static int
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void
addr_text(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = sa->sa_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->
	    sin6_addr :
	    (const void *)&((const struct sockaddr_in *)(const void *)sa)->
	    sin_addr;

	if (inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}
