/* SPDX-License-Identifier: ISC */
/* The connect request a forwarded connection sends (rexec-protocol(7)). */
#ifndef REXEC_CLI_FWDREQ_H
#define REXEC_CLI_FWDREQ_H

#include <jansson.h>

/* To host:port from the server, with the token (may be NULL); NULL when
 * out of memory or host is too long. */
json_t	*fwdreq_connect(const char *host, int port, const char *token);

#endif
