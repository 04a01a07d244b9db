/*
 * Refused connections (bad token, address not allowed, too many
 * unauthenticated) are logged with the peer address, but at most a burst
 * per window across all workers: a flood of bad attempts must not flood
 * the log.  What was left out is counted and reported later.
 */
#ifndef REXECD_AUTHLOG_H
#define REXECD_AUTHLOG_H

#define AUTHLOG_BURST		10
#define AUTHLOG_WINDOW_MS	5000

/* Maps the counters shared by the workers; call before forking them. */
void	authlog_init(void);
void	authlog_refused(const char *peer, const char *reason);

#endif
