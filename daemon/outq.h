/* SPDX-License-Identifier: ISC */
/* The one frame on its way to the client, for a command's stream and a
 * forwarded connection: a client that takes nothing is timed. */
#ifndef REXECD_OUTQ_H
#define REXECD_OUTQ_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "encode.h"
#include "stream.h"

struct outq {
	struct frame_out	 frame;
	bool			 pending;
	long long		 stall_at;	/* the client took nothing since */
	long long		 vanish_at;	/* then: is it there at all? */
};

/* A control frame (steals hdr); -1 when it cannot be encoded. */
int	outq_json(struct outq *, json_t *hdr);
void	outq_data(struct outq *, enum frame_type, const void *, size_t);
/* Sends what the socket takes: 1 when all is out (released), 0 while
 * some is left, -1 (errno) when the connection is broken. */
int	outq_send(struct outq *, const struct stream_ctx *);
void	outq_release(struct outq *);

#endif
