/* SPDX-License-Identifier: ISC */
/* rexec --status: ask a daemon for its state and print it. */
#ifndef REXEC_CLI_STATUS_H
#define REXEC_CLI_STATUS_H

#include <stdbool.h>

/*
 * Connects (address_connect, bounded by connect_ms), sends a status
 * request with token and munge, a credential (either may be NULL), prints the answer: the document as
 * the daemon sent it with json, else a table.  Returns the exit status:
 * 0, or EXIT_REXEC_FAILED after one line on stderr.
 */
int	status_run(const char *host, const char *port, int family, int connect_ms,
	    const char *token, const char *munge, bool json);

#endif
