/* A worker: accepts one connection at a time and serves it. */
#ifndef REXECD_WORKER_H
#define REXECD_WORKER_H

#include <stdbool.h>

#include "config.h"
#include "listen.h"
#include "scoreboard.h"

struct worker {
	const struct config	*cf;
	struct scoreboard	*sb;
	struct slot		*slot;
	struct listeners	*l;
	pid_t			 master;
	int			 sigfd;
	int			 epfd;
	bool			 stopping;	/* SIGTERM: exit when done */
	unsigned char		*buf;		/* FRAME_DATA_CHUNK bytes */
};

/* Never returns. */
void	worker_main(const struct config *, struct scoreboard *, struct slot *,
	    struct listeners *, pid_t master)
	    __attribute__((noreturn));
#define WORKER_KILL_NOW	0x1	/* shutdown_timeout: end the command */
#define WORKER_CHILD	0x2	/* SIGCHLD */

/* Drains the signalfd; returns what happened (WORKER_ flags). */
int	worker_signals(struct worker *);
/* A connection was taken: tells the master when no worker is left idle. */
void	worker_taken(const struct worker *);

#endif
