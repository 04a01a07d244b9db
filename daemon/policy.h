/* SPDX-License-Identifier: ISC */
/*
 * Pool policy, decided from a tally of the scoreboard: how many workers
 * to start or retire (the master), and which connections to admit (the
 * workers).  No I/O here.
 */
#ifndef REXECD_POLICY_H
#define REXECD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "scoreboard.h"

/* A connection that has not sent its request for this long is slow. */
#define STARTUP_SLOW_MS		1000

/* Workers to start now; spawn_rate doubles while short, resets idle. */
size_t	policy_spawn(const struct config *, const struct tally *,
	    size_t waiting, int *spawn_rate);
/* Whether an idle worker is to be retired (one at a time). */
bool	policy_retire(const struct config *, const struct tally *,
	    size_t waiting);
/* Whether the master is to grow the pool now: no worker is left idle. */
bool	policy_last_idle_taken(const struct tally *);
/* sshd's PerSourceMaxStartups: whether an address that holds n
 * unauthenticated connections (the new one included) has too many. */
bool	policy_too_many_from(const struct config *, size_t n);
/* sshd's max_startups: whether to refuse a new connection, whose
 * address holds others unauthenticated connections besides. */
bool	policy_too_many_startups(const struct config *, const struct tally *,
	    size_t others);
/* Whether a slow request holds a worker that others may be waiting for
 * (the caller then looks at the backlog). */
bool	policy_may_starve(const struct config *, const struct tally *);

#endif
