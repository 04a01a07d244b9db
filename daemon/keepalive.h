/* SPDX-License-Identifier: ISC */
/* TCP keepalive on an accepted connection: a vanished client is noticed. */
#ifndef REXECD_KEEPALIVE_H
#define REXECD_KEEPALIVE_H

#include <stdbool.h>

/*
 * Has the kernel end the connection when the peer, while idle, has
 * answered no probe for about seconds.  0 leaves the socket alone.
 * Failures are logged, never fatal.
 */
void	keepalive_set(int fd, int seconds, const char *peer);
/* While output waits: true when the peer acknowledges nothing any more
 * (retransmissions), false when it is there but reads nothing (its
 * window shut) or cannot be told. */
bool	keepalive_peer_gone(int fd);

#endif
