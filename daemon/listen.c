/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <bsd/string.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "auth.h"
#include "fdio.h"
#include "listen.h"
#include "log.h"

static int	resolve(const char *addr, int port, struct addrinfo **res,
	    char *err, size_t errlen);
static int	exposure(const struct config *cf, const struct sockaddr *sa,
	    const char *name, char *err, size_t errlen);
static bool	protected(const struct config *cf);
static int	take_activated(const struct config *cf, struct listeners *l);
static void	announce(int fd);
static int	add_socket(const struct config *cf, struct listeners *l,
	    const struct addrinfo *ai, const char *name);

int
listen_check(const struct config *cf, char *err, size_t errlen)
{
	struct addrinfo *res, *ai;
	int rc = 0;

	for (size_t i = 0; i < cf->nlisten && rc == 0; i++) {
		if (resolve(cf->listen[i], cf->port, &res, err, errlen) == -1)
			return -1;
		for (ai = res; ai != NULL && rc == 0; ai = ai->ai_next)
			rc = exposure(cf, ai->ai_addr, cf->listen[i], err,
			    errlen);
		freeaddrinfo(res);
	}
	return rc;
}

int
listen_recheck(const struct config *cf, const struct listeners *l,
    char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char host[NI_MAXHOST];

	for (size_t i = 0; i < l->n; i++) {
		len = sizeof(ss);
		if (getsockname(l->fd[i], (struct sockaddr *)&ss, &len) == -1) {
			snprintf(err, errlen, "getsockname: %s",
			    strerror(errno));
			return -1;
		}
		if (getnameinfo((struct sockaddr *)&ss, len, host,
		    sizeof(host), NULL, 0, NI_NUMERICHOST) != 0)
			strlcpy(host, "?", sizeof(host));
		if (exposure(cf, (struct sockaddr *)&ss, host, err,
		    errlen) == -1)
			return -1;
	}
	return 0;
}

static int
resolve(const char *addr, int port, struct addrinfo **res, char *err,
    size_t errlen)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	char host[LISTEN_ADDR_MAX], serv[16];
	size_t n;
	int rc;

	strlcpy(host, addr, sizeof(host));
	n = strlen(host);
	if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	snprintf(serv, sizeof(serv), "%d", port);
	rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, serv, &hints,
	    res);
	if (rc != 0) {
		snprintf(err, errlen, "listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	return 0;
}

static int
exposure(const struct config *cf, const struct sockaddr *sa,
    const char *name, char *err, size_t errlen)
{
	if (protected(cf) || auth_is_loopback(sa))
		return 0;
	snprintf(err, errlen, "refusing to listen on %s: it is not a loopback "
	    "address and neither token_file nor allow is configured", name);
	return -1;
}

static bool
protected(const struct config *cf)
{
	return cf->token_len > 0 || cf->token_file[0] != '\0' ||
	    cf->nallow > 0;
}

void
listen_open(const struct config *cf, struct listeners *l)
{
	struct addrinfo *res, *ai;
	char err[512];

	memset(l, 0, sizeof(*l));
	if (take_activated(cf, l) > 0)
		return;
	if (listen_check(cf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	for (size_t i = 0; i < cf->nlisten; i++) {
		if (resolve(cf->listen[i], cf->port, &res, err,
		    sizeof(err)) == -1)
			fatalx("%s", err);
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (add_socket(cf, l, ai, cf->listen[i]) == -1)
				log_warn("skipping %s", cf->listen[i]);
		freeaddrinfo(res);
	}
	if (l->n == 0)
		fatalx("no address to listen on");
}

static int
take_activated(const struct config *cf, struct listeners *l)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	int n = sd_listen_fds(1);

	if (n <= 0)
		return n;
	for (int i = 0; i < n; i++) {
		int fd = SD_LISTEN_FDS_START + i;
		if (l->n == LISTEN_FDS_MAX)
			fatalx("too many sockets from systemd");
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
			fatal("socket %d from systemd", fd);
		if (exposure(cf, (struct sockaddr *)&ss, "a socket from "
		    "systemd", err, sizeof(err)) == -1)
			fatalx("%s", err);
		if (set_nonblock(fd, 1) == -1 || set_cloexec(fd) == -1)
			fatal("socket %d from systemd", fd);
		announce(fd);
		l->fd[l->n++] = fd;
	}
	l->activated = true;
	return n;
}

static void
announce(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	int e;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		fatal("getsockname");
	/* getnameinfo reports in its return value, not in errno. */
	if ((e = getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV)) != 0)
		fatalx("getnameinfo: %s", gai_strerror(e));
	/* Printed whatever the log level: tests and scripts read it. */
	dprintf(STDERR_FILENO, "master: listening on %s port %s\n", host,
	    serv);
}

/* Returns 0, or -1 when a default address is missing here (no IPv6). */
static int
add_socket(const struct config *cf, struct listeners *l,
    const struct addrinfo *ai, const char *name)
{
	int fd, on = 1;

	if (l->n == LISTEN_FDS_MAX)
		fatalx("too many listening sockets");
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1 && cf->listen_default && errno == EAFNOSUPPORT)
		return -1;
	if (fd == -1)
		fatal("socket for %s", name);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		fatal("SO_REUSEADDR");
	if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		fatal("IPV6_V6ONLY");
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (cf->listen_default && errno == EADDRNOTAVAIL) {
			close(fd);
			return -1;
		}
		fatal("cannot listen on %s", name);
	}
	if (listen(fd, SOMAXCONN) == -1)
		fatal("listen on %s", name);
	announce(fd);
	l->fd[l->n++] = fd;
	return 0;
}

void
listen_close(struct listeners *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->fd[i]);
	l->n = 0;
}
