/* SPDX-License-Identifier: ISC */
/*
 * A worker's signals, read from a signalfd wherever the worker waits (the
 * accept loop, the request, the stream): SIGTERM stops it accepting at
 * once; the rest is returned for the caller to act on.
 */
#ifndef REXECD_WSIGNAL_H
#define REXECD_WSIGNAL_H

#include <sys/types.h>

#include <stdbool.h>

#include "listen.h"

#define WSIG_KILL_NOW	0x1	/* SIGUSR1, shutdown_timeout: end the command */
#define WSIG_CHILD	0x2	/* SIGCHLD */

struct wsignal {
	int			 fd;		/* the signalfd, to poll */
	struct listeners	*l;		/* closed at SIGTERM */
	bool			 stopping;	/* SIGTERM: exit when done */
};

/* Blocks the signals for the signalfd, arms the parent-death signal. */
void	wsignal_open(struct wsignal *, struct listeners *, pid_t master);
/* Drains the signalfd; returns what happened (WSIG_ flags). */
int	wsignal_read(struct wsignal *);
/*
 * Waits for events on fd (-1: none) until deadline (a now_ms() time),
 * reading the signals meanwhile: 1 when fd is ready, 0 when it is not
 * (the deadline came, or a signal that ends nothing), -1 at SIGUSR1.
 */
int	wsignal_wait(struct wsignal *, int fd, short events,
	    long long deadline);

#endif
