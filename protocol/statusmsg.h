/* SPDX-License-Identifier: ISC */
/*
 * The status request ({"type":"status","version":1,"token":...}) and the
 * header of its answer, whose payload is the daemon's JSON document.
 */
#ifndef REXEC_STATUSMSG_H
#define REXEC_STATUSMSG_H

#include <stddef.h>

#include <jansson.h>

#include "errcode.h"
#include "frame.h"

/* One worker's command line in a status document, in characters. */
#define STATUS_CMD_MAX		256

struct status_req {
	const char	*token;		/* NULL: none sent */
	size_t		 token_len;
	const char	*munge;		/* a MUNGE credential; NULL: none */
	json_t		*hdr;		/* owns token and munge */
};

/* 0, or -1 with e filled (bad_request or version). */
int	msg_parse_status(const struct frame *, struct status_req *,
	    struct proto_error *e);
void	status_req_free(struct status_req *);
/* The request a client sends (token and munge may be NULL); NULL on
 * ENOMEM. */
json_t	*msg_status_request(const char *token, const char *munge);

#endif
