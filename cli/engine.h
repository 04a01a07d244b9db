/* SPDX-License-Identifier: ISC */
/*
 * The client's engine: one poll loop driving every connection, at most
 * fanout at a time, sharing stdin (broadcast), stdout and stderr (one
 * writer each) and the signals rexec receives.  `rexec host cmd` is this
 * engine with one host and raw output.
 *
 * Hooks for a terminal module (pty sessions): stdin is read in
 * instore.c (instore_read), output payloads reach stdout in conn.c
 * (take_output), and link_queue (link.c) queues an extra control frame
 * (such as "winsize") on a connection.
 */
#ifndef REXEC_CLI_ENGINE_H
#define REXEC_CLI_ENGINE_H

#include <stddef.h>

#include "engineopts.h"
#include "host.h"

/* Runs hosts[0..n); returns the largest host status. */
int	engine_run(struct host *hosts, size_t n, const struct engine_opts *);

#endif
