/* SPDX-License-Identifier: ISC */
/*
 * What unauthenticated clients make us log (refused connections, their
 * protocol errors) is logged with the peer address, but at most a burst
 * per window from each address and a larger one from all of them: a
 * flood of bad attempts must not flood the log, and one flooding address
 * must not silence the others.  What was left out is counted and
 * reported later.  The reason is the client's text in part: it is
 * escaped here (text_safe).
 */
#ifndef REXECD_AUTHLOG_H
#define REXECD_AUTHLOG_H

#include "srctab.h"

#define AUTHLOG_BURST		10	/* from one address */
#define AUTHLOG_BURST_ALL	50
#define AUTHLOG_WINDOW_MS	5000

/* Maps the counters shared by the workers; call before forking them. */
void	authlog_init(void);
void	authlog_refused(struct srctab *, const struct srckey *,
	    const char *peer, const char *reason);
void	authlog_error(struct srctab *, const struct srckey *,
	    const char *peer, const char *code, const char *message);

#endif
