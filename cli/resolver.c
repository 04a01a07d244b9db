/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/time.h>

#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

#include "clock.h"
#include "resolver.h"

struct lookup {
	resolver_cb	*cb;		/* NULL once forgotten */
	void		*arg;
	bool		 calling;	/* inside ares_getaddrinfo */
	struct lookup	*next;		/* answered there: told later */
	struct netaddr	*addrs;
	size_t		 n;
	char		 why[128];
	int		 family;
	char		 port[8];
	char		 name[];	/* for the system's resolver */
};

struct watch {
	ares_socket_t	fd;		/* ARES_SOCKET_BAD: a free slot */
	short		events;
};

static ares_channel	channel;
static bool		open_;
static struct watch	watched[RESOLVER_SOCKS];
/* Answered before ares_getaddrinfo returned (the hosts file, localhost):
 * their callers do not expect the answer yet. */
static struct lookup	*early;

static int	 channel_open(char *why, size_t whylen);
static void	 sock_state(void *, ares_socket_t, int readable, int writable);
static void	 answered(void *, int status, int timeouts,
		    struct ares_addrinfo *);
static struct netaddr *copy_addrs(const struct ares_addrinfo_node *,
		    size_t *n);
static struct netaddr *system_lookup(const struct lookup *, size_t *n);
static void	 tell(struct lookup *);
static void	 tell_early(void);

struct lookup *
resolver_lookup(const char *name, const char *port, int family,
    resolver_cb *cb, void *arg, char *why, size_t whylen)
{
	struct ares_addrinfo_hints hints = {
		/* $CARES_HOSTS, when set, replaces /etc/hosts. */
		.ai_flags = ARES_AI_NUMERICSERV | ARES_AI_ENVHOSTS,
		.ai_family = family,
		.ai_socktype = SOCK_STREAM,
	};
	struct lookup *l;

	if (!open_ && channel_open(why, whylen) == -1)
		return NULL;
	if ((l = malloc(sizeof(*l) + strlen(name) + 1)) == NULL) {
		snprintf(why, whylen, "cannot resolve: out of memory");
		return NULL;
	}
	*l = (struct lookup){ .cb = cb, .arg = arg, .calling = true,
	    .family = family };
	strcpy(l->name, name);
	snprintf(l->port, sizeof(l->port), "%s", port);
	ares_getaddrinfo(channel, name, port, &hints, answered, l);
	l->calling = false;
	return l;
}

void
resolver_forget(struct lookup *l)
{
	if (l != NULL)
		l->cb = NULL;
}

static int
channel_open(char *why, size_t whylen)
{
	struct ares_options opts = { .sock_state_cb = sock_state };
	int r;

	for (size_t i = 0; i < RESOLVER_SOCKS; i++)
		watched[i].fd = ARES_SOCKET_BAD;
	if ((r = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS ||
	    (r = ares_init_options(&channel, &opts,
	    ARES_OPT_SOCK_STATE_CB)) != ARES_SUCCESS) {
		snprintf(why, whylen, "cannot resolve: %s", ares_strerror(r));
		return -1;
	}
	open_ = true;
	return 0;
}

/* c-ares says which of its sockets wait for what; none to forget it. */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	short events = (readable ? POLLIN : 0) | (writable ? POLLOUT : 0);
	struct watch *free_slot = NULL;

	(void)data;
	for (size_t i = 0; i < RESOLVER_SOCKS; i++) {
		if (watched[i].fd == fd) {
			watched[i].events = events;
			if (events == 0)
				watched[i].fd = ARES_SOCKET_BAD;
			return;
		}
		if (watched[i].fd == ARES_SOCKET_BAD && free_slot == NULL)
			free_slot = &watched[i];
	}
	/* c-ares opens no more than ARES_GETSOCK_MAXNUM at once. */
	if (events != 0 && free_slot != NULL)
		*free_slot = (struct watch){ .fd = fd, .events = events };
}

static void
answered(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct lookup *l = arg;

	(void)timeouts;
	if (status == ARES_SUCCESS && res != NULL &&
	    (l->addrs = copy_addrs(res->nodes, &l->n)) == NULL)
		status = l->n == 0 ? ARES_ENODATA : ARES_ENOMEM;
	ares_freeaddrinfo(res);
	if ((status == ARES_ENOTFOUND || status == ARES_ENODATA) &&
	    (l->addrs = system_lookup(l, &l->n)) != NULL)
		status = ARES_SUCCESS;
	snprintf(l->why, sizeof(l->why), "cannot resolve: %s",
	    ares_strerror(status));
	if (l->calling) {
		l->next = early;
		early = l;
	} else
		tell(l);
}

static void
tell(struct lookup *l)
{
	if (l->cb != NULL)
		l->cb(l->arg, l->addrs, l->n, l->addrs != NULL ? NULL : l->why);
	else
		free(l->addrs);
	free(l);
}

/*
 * A name neither the hosts file nor DNS knows may be another name
 * service's (nss-myhostname's own host name, mDNS, LDAP), as ssh would
 * find it: the system's resolver then, blocking, on this rare path.
 */
static struct netaddr *
system_lookup(const struct lookup *l, size_t *n)
{
	struct addrinfo hints = { .ai_family = l->family,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *p;
	struct netaddr *a;
	size_t k = 0;

	*n = 0;
	if (getaddrinfo(l->name, l->port, &hints, &res) != 0)
		return NULL;
	for (p = res; p != NULL; p = p->ai_next)
		k += p->ai_addrlen <= sizeof(a->ss);
	if (k > 0 && (a = calloc(k, sizeof(*a))) != NULL) {
		for (p = res; p != NULL; p = p->ai_next)
			if (p->ai_addrlen <= sizeof(a->ss)) {
				a[*n].len = p->ai_addrlen;
				memcpy(&a[*n].ss, p->ai_addr, p->ai_addrlen);
				(*n)++;
			}
	} else
		a = NULL;
	freeaddrinfo(res);
	return a;
}

/* Only what a connect needs, in c-ares's order (RFC 6724's). */
static struct netaddr *
copy_addrs(const struct ares_addrinfo_node *nodes, size_t *n)
{
	const struct ares_addrinfo_node *p;
	struct netaddr *a;
	size_t k = 0;

	*n = 0;
	for (p = nodes; p != NULL; p = p->ai_next)
		if (p->ai_addrlen <= sizeof(a->ss))
			k++;
	if (k == 0 || (a = calloc(k, sizeof(*a))) == NULL)
		return NULL;
	for (p = nodes; p != NULL; p = p->ai_next)
		if (p->ai_addrlen <= sizeof(a->ss)) {
			a[*n].len = p->ai_addrlen;
			memcpy(&a[*n].ss, p->ai_addr, p->ai_addrlen);
			(*n)++;
		}
	return a;
}

static void
tell_early(void)
{
	struct lookup *l;

	while ((l = early) != NULL) {
		early = l->next;
		tell(l);
	}
}

void
resolver_pollfds(struct pollfd *pfd, long long *deadline)
{
	struct timeval tv;

	for (size_t i = 0; i < RESOLVER_SOCKS; i++)
		pfd[i] = (struct pollfd){ .fd = open_ ? watched[i].fd : -1,
		    .events = open_ ? watched[i].events : 0 };
	if (early != NULL)
		deadline_merge(deadline, now_ms());
	else if (open_ && ares_timeout(channel, NULL, &tv) != NULL)
		deadline_merge(deadline, now_ms() + tv.tv_sec * 1000 +
		    (tv.tv_usec + 999) / 1000);
}

void
resolver_ready(const struct pollfd *pfd)
{
	tell_early();
	if (!open_)
		return;
	for (size_t i = 0; i < RESOLVER_SOCKS; i++)
		if (pfd[i].fd != -1 && pfd[i].revents != 0)
			ares_process_fd(channel,
			    pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ?
			    pfd[i].fd : ARES_SOCKET_BAD,
			    pfd[i].revents & (POLLOUT | POLLERR | POLLHUP) ?
			    pfd[i].fd : ARES_SOCKET_BAD);
	/* Neither socket: only the queries whose time passed. */
	ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

void
resolver_end(void)
{
	tell_early();
	if (!open_)
		return;
	ares_destroy(channel);
	ares_library_cleanup();
	open_ = false;
}
