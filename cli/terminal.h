/* SPDX-License-Identifier: ISC */
/*
 * The local terminal of an interactive session (rexec host, rexec -P):
 * its type and size for the request, raw mode while the command runs,
 * window changes, the ~ escapes, and one restore that every way out of
 * rexec reaches (exit, error, lost connection, signals).  The session
 * calls these hooks; with no pty asked for they do nothing.
 */
#ifndef REXEC_CLI_TERMINAL_H
#define REXEC_CLI_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "message.h"

/* What the filter of typed bytes asks for. */
enum term_action { TERM_SEND, TERM_DISCONNECT };

/* Whether to ask for a pty: -P forces, --no-pty forbids, else only a
 * command-less session on a terminal. */
bool	term_want_pty(bool force, bool forbid, bool has_command);
/* The pty member of the request: $TERM (dumb) and the window size (24 x
 * 80 without a terminal); remembers that a pty was asked for. */
void	term_request(struct pty_req *);

/* "started" came; remote_pty: whether the server gave a pty.  Enters raw
 * mode when stdin is a terminal.  -1 (not reported) when a pty was asked
 * for and the server did not give one. */
int	term_started(bool remote_pty);
/* A SIGWINCH arrived. */
void	term_on_winch(void);
/* A winsize frame when the size changed since the last one, else NULL. */
json_t	*term_winsize_frame(void);
/* Room a read of typed bytes must leave in its buffer: a ~ held from the
 * previous read may come out in front. */
size_t	term_read_reserve(void);
/* Applies the escapes to n typed bytes in buf (cap bytes), in place;
 * *n is updated. */
enum term_action term_filter(unsigned char *buf, size_t *n, size_t cap);
/* The escape character (ssh -e): a byte, 0 for the default ~, -1 for
 * none (no escapes at all). */
void	term_set_escape(int c);
/* Back to the saved settings; safe to call at any time, many times. */
void	term_restore(void);

#endif
