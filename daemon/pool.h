/* SPDX-License-Identifier: ISC */
/* The pool of workers, steered by the scoreboard (after Apache prefork). */
#ifndef REXECD_POOL_H
#define REXECD_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "listen.h"
#include "scoreboard.h"

struct pool {
	struct scoreboard	*sb;
	const struct config	*cf;
	struct listeners	*l;
	int			 close_in_child;	/* the master's signalfd */
	unsigned		 generation;
	int			 spawn_rate;
	long long		 backoff_until;
	int			 backoff_ms;
	long long		 last_retire;
	bool			 killing;	/* SIGKILLs are ours */
	bool			 short_of_workers;	/* look again soon */
	bool			 retiring;	/* more idle ones to retire */
};

void	pool_init(struct pool *, const struct config *, struct listeners *,
	    int close_in_child);
/* The scoreboard now, for the current generation. */
void	pool_tally(const struct pool *, struct tally *);
/* Starts or retires workers to match the load t shows. */
void	pool_maintain(struct pool *, const struct tally *t);
/* When pool_maintain has something to do without a signal: a now_ms()
 * time, or 0. */
long long pool_next_at(const struct pool *);
/* Reaps every exited child; logs workers that died. */
void	pool_reap(struct pool *);
/* Sends sig to every live worker (of older generations only if old). */
void	pool_signal(struct pool *, int sig, bool old);
/* SIGKILLs every worker and the command it runs. */
void	pool_kill_all(struct pool *);

#endif
