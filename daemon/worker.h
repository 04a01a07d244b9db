/* A worker: accepts one connection at a time and serves it. */
#ifndef REXECD_WORKER_H
#define REXECD_WORKER_H

#include <sys/types.h>

#include "config.h"
#include "listen.h"
#include "scoreboard.h"

/* Never returns. */
void	worker_main(const struct config *, struct scoreboard *, struct slot *,
	    struct listeners *, pid_t master)
	    __attribute__((noreturn));

#endif
