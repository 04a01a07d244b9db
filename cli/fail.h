/* SPDX-License-Identifier: ISC */
/*
 * rexec's own failures: exactly one line "rexec: HOST: reason" on stderr
 * and exit status 255, so callers can tell them from the command's status.
 */
#ifndef REXEC_CLI_FAIL_H
#define REXEC_CLI_FAIL_H

#define EXIT_REXEC_FAILED	255

/* The host named in every message (set once it is known). */
void	fail_set_host(const char *);
/* Prints the line; returns EXIT_REXEC_FAILED, the status to exit with. */
int	report(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* A line failmsg_line made, now, not behind queued output: the one
 * writer of rexec's messages to stderr (results.c queues the rest). */
void	report_line(const char *line);

/* Where usage errors point: "rexec --help" unless set. */
void	fail_set_usage_hint(const char *);
/* Prints "rexec: reason (see rexec --help)"; returns -1. */
int	usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
