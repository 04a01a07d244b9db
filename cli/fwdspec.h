/* SPDX-License-Identifier: ISC */
/*
 * ssh's forwarding arguments, parsed: -W's "host:port" and -L's
 * "[bind:]port:host:hostport" (an IPv6 address in brackets, as ssh
 * takes it), and the connect request each forwarded connection sends.
 */
#ifndef REXEC_CLI_FWDSPEC_H
#define REXEC_CLI_FWDSPEC_H

#include <stdbool.h>

#include <jansson.h>

#include "connectmsg.h"

/* Where the server connects to. */
struct fwd_target {
	char		host[CONNECT_HOST_MAX + 1];
	unsigned	port;
};

/* One -L: a local listening address and the target behind the host. */
struct fwd_local {
	char		 bind[CONNECT_HOST_MAX + 1];	/* "": none given */
	unsigned	 port;				/* 0: any free one */
	struct fwd_target to;
};

/* Each: 0, or -1 after a usage error naming opt ("-W", "-L"). */
int	fwdspec_target(const char *opt, const char *arg, struct fwd_target *);
int	fwdspec_local(const char *opt, const char *arg, struct fwd_local *);
/* The local address to listen on: bind, else loopback, or every
 * address with gateway (-g); "*" and "" as ssh takes them. */
const char *fwdspec_bind_host(const struct fwd_local *, bool gateway);
/* The connect request for t; NULL when out of memory. */
json_t	*fwdspec_request(const struct fwd_target *, const char *token);

#endif
