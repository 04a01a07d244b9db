/* SPDX-License-Identifier: ISC */
/*
 * Targets for the forwarding tests: a TCP server on 127.0.0.1 (a process
 * of the test's, stopped by pid) that echoes each connection byte for
 * byte and, at the client's end of input, adds a trailer before it
 * closes: so a half-close is seen to reach it, and what it answers after
 * it is seen to come back.
 */
#ifndef REXEC_TEST_FWD_UTIL_H
#define REXEC_TEST_FWD_UTIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "rexecd_proc.h"

/* The echo server's trailer: "END " and the peer socket's owner, the uid
 * the connection was made as ("END uid=0\n"). */
#define FWD_TRAILER_PREFIX	"END uid="

struct fwd_echo {
	pid_t	pid;
	int	port;
};

/* Starts the server (aborts the test on failure). */
void	fwd_echo_start(struct fwd_echo *);
void	fwd_echo_stop(struct fwd_echo *);
/* A port on 127.0.0.1 nobody listens on (bound, never listening). */
int	fwd_closed_port(int *holder);
/* The uid owning the TCP socket whose local end is 127.0.0.1:port, from
 * /proc/net/tcp; -1 when not found. */
long	fwd_socket_uid(int port);

#endif
