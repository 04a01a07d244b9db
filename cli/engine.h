/*
 * The client's engine: one poll loop driving every connection, at most
 * fanout at a time, sharing stdin (broadcast), stdout and stderr (one
 * writer each) and the signals rexec receives.  `rexec host cmd` is this
 * engine with one host and raw output.
 *
 * Hooks for a terminal module (pty sessions): stdin is read in
 * instore.c (instore_read), output payloads reach stdout in conn.c
 * (take_output), and conn_send_frame queues an extra control frame
 * (such as "winsize") on a connection.
 */
#ifndef REXEC_CLI_ENGINE_H
#define REXEC_CLI_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "host.h"

struct engine_opts {
	json_t	*exec;		/* the request; "user" set per host */
	bool	 stdin_open;	/* forward stdin (broadcast) */
	int	 connect_timeout_ms;
	int	 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	size_t	 fanout;
	bool	 lines;		/* whole lines, under prefix when prefix */
	bool	 prefix;
	bool	 gather;	/* -b: hold stdout, print blocks at the end */
	bool	 json;		/* --json: hold both, one object per host */
	bool	 fleet;		/* summary at the end; busy retried less */
	bool	 safe[3];	/* by fd: output made safe for a terminal */
	int	 safe_flags;	/* text_safe's, for it */
};

/* Runs hosts[0..n); returns the largest host status. */
int	engine_run(struct host *hosts, size_t n, const struct engine_opts *);

#endif
