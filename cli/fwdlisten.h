/* SPDX-License-Identifier: ISC */
/*
 * The listening sockets of -L, each with the connect request its
 * accepted connections send (files.md, Forwarding).
 */
#ifndef REXEC_CLI_FWDLISTEN_H
#define REXEC_CLI_FWDLISTEN_H

#include <stddef.h>

#include "engineopts.h"
#include "fwdspec.h"
#include "host.h"

struct fwdlisten {
	struct engine_listen	*l;
	size_t			 n;
};

/*
 * Listens for every -L of f, on loopback unless gateway or its bind
 * address says otherwise, with family (AF_UNSPEC: both); connections
 * go to h with token (NULL: none, or a credential per connection).
 * 0, or -1 after one line: a port in use fails the run at once.
 */
int	fwdlisten_open(struct fwdlisten *, const struct fwdopts *f,
	    int family, const struct host *h, const char *token);
void	fwdlisten_close(struct fwdlisten *);

#endif
