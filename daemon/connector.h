/* SPDX-License-Identifier: ISC */
/*
 * A connect request's connection, made as the account: the spawner forks
 * a short-lived connector that takes the account's identity, resolves
 * and connects under connect_timeout, and hands the connected socket
 * (SM_STARTED) or the reason (SM_FAILED) over a socketpair whose other
 * end goes to the worker at once.  The master never waits for it.
 */
#ifndef REXECD_CONNECTOR_H
#define REXECD_CONNECTOR_H

#include <sys/types.h>

#include "account.h"
#include "config.h"
#include "connectmsg.h"
#include "errcode.h"

/* 0 with *pid (its own process group, to reap by pid) and *worker_end
 * (to hand to the worker, then close), or -1 with e set. */
int	connector_start(const struct config *, const struct account *,
	    const struct connect_req *, pid_t *pid, int *worker_end,
	    struct proto_error *e);

#endif
