/* SPDX-License-Identifier: ISC */
/*
 * A connect request's session in the worker: the wait for the connector
 * (the client and the signals watched meanwhile), then bytes both ways
 * between the client's frames and the target's socket, through one poll
 * loop with the stream's back-pressure: the target is not read while a
 * frame waits for the client, the client not while the target is full.
 */
#ifndef REXECD_RELAY_H
#define REXECD_RELAY_H

#include "errcode.h"
#include "stream.h"

/*
 * Waits for the connector's answer on cfd (closed here): 0 with *target
 * connected, or -1 with e set (e->code ERR_NONE: the client or the
 * daemon went away, nothing to answer).
 */
int	relay_wait(const struct stream_ctx *, int cfd, int connect_timeout,
	    int *target, struct proto_error *e);
/* Sends "started", relays until the last frame (exit, or error "connect"
 * when the target failed) is sent or the client is gone; closes target. */
void	relay_run(const struct stream_ctx *, int target,
	    struct stream_result *);

#endif
