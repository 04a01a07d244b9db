/* TCP keepalive on an accepted connection: a vanished client is noticed. */
#ifndef REXECD_KEEPALIVE_H
#define REXECD_KEEPALIVE_H

/*
 * Has the kernel end the connection when the peer has answered nothing
 * (no data, no ACK) for about seconds: probes while it is idle, and
 * TCP_USER_TIMEOUT while data waits for its ACK (or, Linux's rule, for
 * a receive window to open).  0 leaves the socket alone.  Failures are
 * logged, never fatal.
 */
void	keepalive_set(int fd, int seconds, const char *peer);

#endif
