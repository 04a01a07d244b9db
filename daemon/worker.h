/* SPDX-License-Identifier: ISC */
/* A worker: accepts one connection at a time and serves it. */
#ifndef REXECD_WORKER_H
#define REXECD_WORKER_H

#include <sys/types.h>

#include "config.h"
#include "listen.h"
#include "scoreboard.h"

/* Never returns. */
/* link: the worker's end of its socketpair to the spawner. */
void	worker_main(const struct config *, struct scoreboard *, struct slot *,
	    struct listeners *, pid_t master, int link)
	    __attribute__((noreturn));

#endif
