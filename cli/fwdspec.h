/* SPDX-License-Identifier: ISC */
/*
 * ssh's forwarding options as rexec-ssh reads them (-L, LocalForward, -W,
 * -g, -N, -f): pure parsing into struct fwdopts.  What they do is
 * forward.c's.
 */
#ifndef REXEC_CLI_FWDSPEC_H
#define REXEC_CLI_FWDSPEC_H

#include <stdbool.h>
#include <stddef.h>

/* -L [bind:]port:host:hostport; -W host:port fills host and hostport. */
struct fwd_spec {
	char	*bind;		/* NULL: none given ("" and "*" kept as given) */
	int	 port;		/* local port, 0..65535 (0: any free one) */
	char	*host;		/* the target, as the server resolves it */
	int	 hostport;	/* 1..65535 */
};

struct fwdopts {
	struct fwd_spec	*local;		/* -L, LocalForward, in order */
	size_t		 nlocal;
	struct fwd_spec	 stdio;		/* -W: host NULL when not given */
	bool		 gateway;	/* -g, GatewayPorts: not only loopback */
	bool		 no_command;	/* -N, SessionType none */
	bool		 background;	/* -f, ForkAfterAuthentication */
};

/* Parses spec ("[bind:]port:host:hostport", any of bind and host may be
 * a [v6] address) and appends it; 0, or -1 after a usage error naming
 * opt. */
int	fwdspec_add_local(struct fwdopts *, const char *opt, const char *spec);
/* -W host:port; 0, or -1 after a usage error. */
int	fwdspec_set_stdio(struct fwdopts *, const char *spec);
/* Whether anything asks for forwarding (then forward.c runs the show). */
bool	fwdspec_wanted(const struct fwdopts *);
/* The option that asked for it first, for messages: "-L", "-W"... */
const char	*fwdspec_option(const struct fwdopts *);
void	fwdspec_free(struct fwdopts *);

#endif
