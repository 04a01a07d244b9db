/* SPDX-License-Identifier: ISC */
/*
 * What each host did, told the user: failure lines as they happen,
 * --json objects as hosts finish, and at the end the -b blocks and the
 * folded summary of the hosts that did not exit 0.
 */
#ifndef REXEC_CLI_RESULTS_H
#define REXEC_CLI_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "engineopts.h"
#include "host.h"

/* --json keeps this much of each stream per host. */
#define RESULTS_JSON_KEEP	(1024 * 1024)

/* "rexec: HOST: reason" on stderr, queued behind the output before it. */
void	results_report(const struct host *);
/* h failed for want of memory: reported; returns its status. */
int	results_fail_oom(struct host *);
/* Holds output of fd (json: up to RESULTS_JSON_KEEP); 0 or -1. */
int	results_hold(struct host *, int fd, const void *, size_t, bool json);
/* h is done: its --json line, and what it held for it freed. */
void	results_host_done(struct host *, const struct engine_opts *);
/* All are done: -b blocks, then the summary. */
void	results_finish(struct host *, size_t n, const struct engine_opts *);

#endif
