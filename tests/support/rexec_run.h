/* SPDX-License-Identifier: ISC */
/*
 * Run the real rexec binary (or any program) for integration tests: stdin
 * from a file, a string, /dev/null or closed; stdout and stderr captured
 * in temp files (not pipes: no deadlock whatever the sizes); bounded by a
 * kill timeout.
 */
#ifndef REXEC_TEST_REXEC_RUN_H
#define REXEC_TEST_REXEC_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "rexecd_proc.h"

#define REXEC_RUN_TIMEOUT_MS	60000

/* A default rexecd for a client test suite (its .init and .fini), and
 * the address rexec reaches it by. */
extern struct rexecd_proc	suite_daemon;
extern char			suite_addr[64];
void	suite_daemon_start(void);
void	suite_daemon_stop(void);

struct rexec_opts {
	const char		 *stdin_file;	/* stdin from this file, */
	const char		 *stdin_text;	/* or from this text, */
	bool			  stdin_closed;	/* or fd 0 closed; else /dev/null */
	const char *const	 *env;		/* NAME=VALUE to add, NULL-ended */
	int			  timeout_ms;	/* 0: REXEC_RUN_TIMEOUT_MS */
	bool			  no_load;	/* leave outputs in their files */
};

struct rexec_run {
	pid_t	 pid;
	int	 timeout_ms;
	bool	 no_load;
	char	 dir[64];
	char	 out_path[PATH_MAX];
	char	 err_path[PATH_MAX];
	int	 status;		/* wait status */
	long	 maxrss_kb;		/* of the program and its children */
	char	*out;			/* NUL-terminated contents */
	size_t	 out_len;
	char	*err;
	size_t	 err_len;
};

/* Starts argv (argv[0] is the program path); opts may be NULL. */
void	rexec_spawn(struct rexec_run *, const struct rexec_opts *,
	    const char *const *argv);
/* Waits (bounded: kill and fail the test after the timeout), loads the
 * outputs unless no_load; returns the wait status. */
int	rexec_wait(struct rexec_run *);
/* rexec_bin() with the NULL-terminated arguments: spawn and wait. */
int	rexec_run(struct rexec_run *, const struct rexec_opts *, ...);
/* Removes the files, frees the contents. */
void	rexec_run_free(struct rexec_run *);

/* Occurrences of needle in the stdout file so far. */
int	rexec_out_count(const struct rexec_run *, const char *needle);
/* Waits (bounded) until stdout holds needle at least n times; 0 or -1. */
int	rexec_wait_out(const struct rexec_run *, const char *needle, int n,
	    int timeout_ms);

/* "127.0.0.1:PORT" of a daemon, in buf. */
const char	*rexec_addr(char *buf, size_t len, const struct rexecd_proc *);
/* Whole file, malloc'd and NUL-terminated (NULL if unreadable). */
char		*read_file_all(const char *path, size_t *len);
/* size bytes of xorshift noise (NULs included) from seed. */
void		 write_random_file(const char *path, size_t size,
		    uint64_t seed);
int		 files_equal(const char *, const char *);
/* Hex SHA-256 of a file, by sha256sum. */
void		 sha256_file(const char *path, char out[65]);
/* Status 255, stderr exactly one line starting with prefix (and holding
 * contains, unless NULL), stdout empty. */
void		 assert_one_line(const struct rexec_run *, const char *prefix,
		    const char *contains);

#endif
