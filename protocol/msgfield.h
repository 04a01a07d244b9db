/* SPDX-License-Identifier: ISC */
/*
 * The members every first frame (exec, connect, status) checks the same
 * way: the protocol version and optional strings.
 */
#ifndef REXEC_MSGFIELD_H
#define REXEC_MSGFIELD_H

#include <stddef.h>

#include <jansson.h>

#include "errcode.h"

/* "version" is this protocol's: 0, or -1 with e filled (bad_request,
 * or version for another one); request names the frame in messages. */
int	msg_check_version(json_t *hdr, const char *request,
	    struct proto_error *e);
/* Optional string member: 0 absent, 1 present (*out, and *len when not
 * NULL), -1 not a string. */
int	msg_opt_string(json_t *hdr, const char *key, const char **out,
	    size_t *len);

#endif
