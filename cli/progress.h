/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy's one-line progress on a terminal (stderr): bytes, hosts
 * done of all, rate; only for copies lasting over a second, cleared at
 * the end and before any other line reaches stderr.  Never when stderr
 * is not a terminal.
 */
#ifndef REXEC_CLI_PROGRESS_H
#define REXEC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

/* Starts the clock; on: show it (a copy, stderr a terminal). */
void	progress_start(bool on);
/* Now bytes moved, done of total hosts finished: redrawn at most a few
 * times a second. */
void	progress_tick(unsigned long long bytes, size_t done, size_t total);
/* Erases the line when shown (it comes back at the next tick). */
void	progress_clear(void);
/* Erases it for good. */
void	progress_end(void);

#endif
