/* SPDX-License-Identifier: ISC */
/*
 * A blocking connect (dialer.c waited on), for the one-shot requests
 * (--status) that do not need the engine of cli/engine.c.
 */
#ifndef REXEC_CLI_DIAL_H
#define REXEC_CLI_DIAL_H

/* A connected socket, or -1 after reporting why (family: AF_UNSPEC,
 * AF_INET or AF_INET6, as -4 and -6 ask). */
int	dial(const char *host, const char *port, int family, int timeout_ms);

#endif
