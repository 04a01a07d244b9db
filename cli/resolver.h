/* SPDX-License-Identifier: ISC */
/*
 * Host names looked up while the connections go on: c-ares's queries
 * run on sockets the engine polls with its own, so a fleet of names does
 * not wait on one lookup after another.  The channel (resolv.conf, the
 * hosts file) is set up on the first name: an address literal never
 * reaches this module.
 */
#ifndef REXEC_CLI_RESOLVER_H
#define REXEC_CLI_RESOLVER_H

#include <sys/socket.h>

#include <poll.h>
#include <stddef.h>

/* c-ares's limit (ARES_GETSOCK_MAXNUM): sockets of all the queries. */
#define RESOLVER_SOCKS	16

struct netaddr {
	socklen_t		len;
	struct sockaddr_storage	ss;
};

/* The addresses in the order to try them (n > 0; the callee frees them),
 * or NULL with why ("cannot resolve: ...").  Called from resolver_ready
 * or resolver_end, never from resolver_lookup. */
typedef void	resolver_cb(void *arg, struct netaddr *, size_t n,
		    const char *why);

struct lookup;

/* Starts looking name up; NULL (why set) when the resolver cannot start. */
struct lookup	*resolver_lookup(const char *name, const char *port, int family,
		    resolver_cb *, void *arg, char *why, size_t whylen);
/* The callback will not be called: its argument is going away. */
void		 resolver_forget(struct lookup *);

/* pfd[0..RESOLVER_SOCKS): its sockets (fd -1 for none); merges its
 * deadline into *deadline (0: none). */
void	resolver_pollfds(struct pollfd *, long long *deadline);
/* What poll said of them; queries whose time passed are retried or
 * failed, their callbacks called. */
void	resolver_ready(const struct pollfd *);
/* Every lookup still running is failed (its callback told) and the
 * channel closed. */
void	resolver_end(void);

#endif
