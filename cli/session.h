/* One remote command: the poll loop between the socket, stdio and signals. */
#ifndef REXEC_CLI_SESSION_H
#define REXEC_CLI_SESSION_H

#include <stdbool.h>

#include <jansson.h>

/*
 * Sends exec (the header, which the session releases), forwards stdin
 * when stdin_open, writes the command's output and forwards signals read
 * from sigfd until the exit frame.  Returns rexec's exit status.
 */
int	session_run(int sock, int sigfd, json_t *exec, bool stdin_open);

#endif
