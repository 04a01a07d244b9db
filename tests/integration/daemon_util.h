/* SPDX-License-Identifier: ISC */
/*
 * Helpers for the daemon's integration tests: speak the protocol to a
 * real rexecd directly (no client binary), watch /proc for leftovers.
 */
#ifndef REXEC_TEST_DAEMON_UTIL_H
#define REXEC_TEST_DAEMON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errcode.h"
#include "message.h"
#include "rexecd_proc.h"

/* Output kept in memory up to this much; beyond, only counted. */
#define DT_KEEP_MAX	(4 * 1024 * 1024)

struct dt_result {
	bool		 started;
	pid_t		 pid;
	bool		 got_exit;
	struct exit_status st;
	bool		 got_error;
	struct proto_error err;
	bool		 eof_without_end;	/* closed before exit/error */
	char		*out;			/* NUL-terminated, first */
	size_t		 out_len;		/* DT_KEEP_MAX bytes kept */
	char		*errout;
	size_t		 errout_len;
	uint64_t	 out_total;		/* all bytes received */
	uint64_t	 out_hash;		/* FNV-1a of all of stdout */
	uint64_t	 stdin_sent;
};

/* Sends an exec frame whose header is JSON text (type and version are
 * added when missing).  0 or -1. */
int	dt_send_exec(int fd, const char *json);
/* Writes raw bytes. */
void	dt_send_raw(int fd, const void *, size_t);

/*
 * Speaks the session on fd until the server closes: sends stdin (may be
 * NULL: then "eof" only if send_eof) in frames while reading frames,
 * without deadlock.  Bounded by timeout_ms (then the test fails).
 */
void	dt_session(int fd, const void *in, size_t inlen, bool send_eof,
	    int timeout_ms, struct dt_result *);
/* Reads frames until one of type want arrives (returns 0), or the
 * server closes / timeout (-1).  Output frames are collected. */
int	dt_read_until(int fd, const char *want, int timeout_ms,
	    struct dt_result *);
/* Connects, sends exec (JSON text), runs the session, closes. */
void	dt_run(const struct rexecd_proc *, const char *exec_json,
	    const void *in, size_t inlen, struct dt_result *);
void	dt_result_free(struct dt_result *);

/* A marker unique to this test process: a sleep duration, "9xx.yyyy". */
void	dt_marker(char *buf, size_t len);

/* The master's descriptors (proc_fd_table) less one socket per worker,
 * its link to it: what stays the same however large the pool. */
char	*dt_master_fds(pid_t master);
/* Pids of the daemon's workers, in the given title state ("idle", or
 * NULL for any); returns the count (up to max). */
int	dt_workers(pid_t master, const char *state, pid_t *pids, int max);

#endif
