/* SPDX-License-Identifier: ISC */
/*
 * Start and stop a real rexecd for integration tests: it listens on an
 * ephemeral port (-p 0) and we learn the port from its "listening on"
 * line.  Its stderr goes to a log file the test can read.
 */
#ifndef REXEC_TEST_REXECD_PROC_H
#define REXEC_TEST_REXECD_PROC_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rexecd_proc {
	pid_t	pid;
	int	port;
	char	dir[PATH_MAX];		/* private temp dir, removed at stop */
	char	log[PATH_MAX];		/* the daemon's stderr */
	char	conf[PATH_MAX];		/* config file written from conf_text */
};

/*
 * Starts rexecd with "-f CONF -p 0 -l 127.0.0.1" plus extra (NULL-terminated,
 * may be NULL); conf_text (may be NULL) is written to CONF first.  Waits
 * (bounded, 10 s) for the listening line.  Aborts the test on failure.
 */
void	rexecd_start(struct rexecd_proc *, const char *conf_text,
	    const char *const *extra);
/* Like rexecd_start, but the caller gives the whole argument list
 * (after argv[0]); returns 0 or -1 when no listening line came. */
int	rexecd_start_args(struct rexecd_proc *, const char *conf_text,
	    const char *const *args);
/* SIGTERM, wait up to 40 s, then SIGKILL; returns the wait status. */
int	rexecd_stop(struct rexecd_proc *);
/* Whole log so far, malloc'd, NUL-terminated. */
char	*rexecd_log(const struct rexecd_proc *);
/* Waits (bounded by timeout_ms) until the log contains needle; 0 or -1. */
int	rexecd_wait_log(const struct rexecd_proc *, const char *needle,
	    int timeout_ms);
/* Connected TCP socket to the daemon on 127.0.0.1 (blocking), or -1. */
int	rexecd_connect(const struct rexecd_proc *);

/* Runs rexecd with args to completion (bounded); returns the wait
 * status and its stdout and stderr (malloc'd) in *out. */
int	rexecd_once(const char *const *args, char **out);

/* nanosleep, resumed after signals. */
void	test_sleep_ms(int ms);
/* FNV-1a, continued from h (start with TEST_FNV_INIT). */
#define TEST_FNV_INIT	0xcbf29ce484222325ULL
uint64_t	test_fnv(uint64_t h, const void *, size_t);

/* Path of a built binary from REXECD_BIN / REXEC_BIN, or build/ default. */
const char	*rexecd_bin(void);
const char	*rexec_bin(void);

#endif
