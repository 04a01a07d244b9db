/* SPDX-License-Identifier: ISC */
/*
 * The connect request ({"type":"connect","version":1,"host":...,"port":N}
 * with token, user and munge as exec has them): a TCP connection made by
 * the server, as the account, whose bytes then travel as stdin and stdout
 * frames (forwarding, rexec-ssh -W and -L).
 */
#ifndef REXEC_CONNECTMSG_H
#define REXEC_CONNECTMSG_H

#include <stddef.h>

#include <jansson.h>

#include "errcode.h"
#include "frame.h"

/* A DNS name is at most 253 characters; an address literal less. */
#define CONNECT_HOST_MAX	255

struct connect_req {
	const char	*host;		/* a name or an address literal */
	unsigned	 port;		/* 1 to 65535 */
	const char	*token;		/* NULL: none sent */
	size_t		 token_len;
	const char	*user;		/* NULL: the daemon's default account */
	const char	*munge;		/* NULL: none sent */
	json_t		*hdr;		/* owns the strings above */
};

/* 0, or -1 with e filled (bad_request or version). */
int	msg_parse_connect(const struct frame *, struct connect_req *,
	    struct proto_error *e);
void	connect_req_free(struct connect_req *);
/* The request's header (token, user, munge when not NULL); NULL on
 * ENOMEM. */
json_t	*msg_connect(const struct connect_req *);

#endif
