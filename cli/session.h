/* One remote command: the poll loop between the socket, stdio and signals. */
#ifndef REXEC_CLI_SESSION_H
#define REXEC_CLI_SESSION_H

#include <stdbool.h>

#include <jansson.h>

/* The server refused with "busy" before running anything. */
#define SESSION_BUSY	(-1)

/*
 * Sends exec, forwards stdin when stdin_open (once the command started),
 * writes the command's output and forwards signals read from sigfd until
 * the exit frame.  Returns rexec's exit status, or SESSION_BUSY (nothing
 * printed, nothing consumed) when may_retry.
 */
int	session_run(int sock, int sigfd, json_t *exec, bool stdin_open,
	    bool may_retry);

#endif
