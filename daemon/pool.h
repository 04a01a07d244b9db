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
/* Starts or retires workers to match the load. */
void	pool_maintain(struct pool *);
/* When pool_maintain has something to do without a signal: ms, or -1. */
int	pool_next_ms(const struct pool *);
/* Reaps every exited child; logs workers that died. */
void	pool_reap(struct pool *);
/* Sends sig to every live worker (of older generations only if old). */
void	pool_signal(struct pool *, int sig, bool old);
/* SIGKILLs every worker and the command it runs. */
void	pool_kill_all(struct pool *);
size_t	pool_alive(const struct pool *);
size_t	pool_busy(const struct pool *);

#endif
