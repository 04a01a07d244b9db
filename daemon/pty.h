/* SPDX-License-Identifier: ISC */
/*
 * The pseudo-terminal of an interactive command: allocated for the
 * account, made the child's controlling terminal, resized, and hung up
 * at the end with what was left running on it.  The stream polls the
 * master like a pipe; these are its small hooks.
 */
#ifndef REXECD_PTY_H
#define REXECD_PTY_H

#include <sys/types.h>

#include <stdbool.h>

#include "account.h"
#include "message.h"

/* Opens a pty of the request's size, owned by the account: 0 with both
 * ends close-on-exec, or -1 with errno. */
int	pty_open(const struct pty_req *, const struct account *,
	    int *master, int *slave);
/* In the child, after setsid: the slave becomes the controlling terminal
 * and fds 0-2.  Only system calls (the child shares the worker's memory). */
int	pty_child_attach(int slave);
int	pty_resize(int master, const struct winsize_req *);
/* The terminal's end-of-file character (^D unless changed). */
unsigned char	pty_eof_char(int master);
/* The terminal's foreground process group, or dflt when unknown. */
pid_t	pty_foreground(int master, pid_t dflt);

#endif
