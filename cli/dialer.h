/* SPDX-License-Identifier: ISC */
/*
 * Reaching one host: its name resolved (an address literal at once, a
 * name through resolver.c), then a non-blocking connect address after
 * address, each within the connect timeout.  Nothing here waits: the
 * caller polls what dialer_pollfd asks for.  The engine's connections
 * and the one-shot requests (dial.c) share it, and its messages.
 */
#ifndef REXEC_CLI_DIALER_H
#define REXEC_CLI_DIALER_H

#include <poll.h>
#include <stddef.h>

#include "resolver.h"

enum dial_state {
	DIAL_RESOLVING,
	DIAL_CONNECTING,
	DIAL_UP,		/* sock is connected */
	DIAL_FAILED,		/* why says why; resolve: it had no address */
};

struct dialer {
	const char	*name;
	const char	*port;
	int		 timeout_ms;
	enum dial_state	 state;
	struct lookup	*lookup;
	struct netaddr	*addrs;
	size_t		 naddrs;
	size_t		 next;		/* the address to try after this one */
	int		 sock;
	int		 saved_errno;
	long long	 deadline;
	int		 resolve_failed;
	char		 why[192];
};

/* Starts reaching name; family: AF_UNSPEC, AF_INET or AF_INET6. */
void	dialer_start(struct dialer *, const char *name, const char *port,
	    int family, int timeout_ms);
/* Once more from the first address (after "busy"): the socket closed. */
void	dialer_redial(struct dialer *);
/* The socket and events it waits for (fd -1: none); merges its deadline. */
void	dialer_pollfd(const struct dialer *, struct pollfd *,
	    long long *deadline);
/* Its socket was ready. */
void	dialer_ready(struct dialer *);
/* Its deadline may have passed. */
void	dialer_tick(struct dialer *, long long now);
/* Closes the socket, and forgets a lookup under way. */
void	dialer_free(struct dialer *);

#endif
