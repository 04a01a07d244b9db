/* SPDX-License-Identifier: ISC */
/*
 * A private munged for the MUNGE tests: its own key (1 KiB of random
 * bytes, mode 0400), socket, pid, log and seed files in a temp dir of its
 * own, run in the foreground as our child and stopped by its pid; never
 * the system's munged.
 */
#ifndef REXEC_TEST_MUNGED_H
#define REXEC_TEST_MUNGED_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define MUNGED_BIN	"/usr/sbin/munged"

struct munged {
	pid_t	pid;
	char	dir[64];
	char	sock[80];	/* within sun_path's 108 */
	char	key[80];
};

/* Skips the test, saying why, without root or munged. */
void	munged_require(void);
/* Starts one with a key of its own; waits (bounded) until its socket
 * answers.  Aborts the test on failure. */
void	munged_start(struct munged *);
/* SIGTERM, waited for (bounded, then SIGKILL); the dir removed. */
void	munged_stop(struct munged *);
/* A credential of the calling process's uid from m (ttl 0: munged's
 * default), malloc'd; *encoded (may be NULL) a time not before munged
 * stamped it. */
char	*munged_encode(const struct munged *, int ttl, long long *encoded);

#endif
