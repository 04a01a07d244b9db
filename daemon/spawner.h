/* SPDX-License-Identifier: ISC */
/*
 * The spawner, in the master (root): it starts a command as its account
 * on a worker's request, hands the worker the command's pipes or pty,
 * signals the command's group for it, tells it of the command's end, and
 * reaps.  Each worker has a socketpair to it (a link); a worker may run
 * one command at a time and reach only its own.  When a worker dies, its
 * command is killed here.  What a worker asks is checked again here: the
 * worker parses the network and is not trusted.
 */
#ifndef REXECD_SPAWNER_H
#define REXECD_SPAWNER_H

#include <sys/types.h>

#include <stdbool.h>

#include "config.h"

void	spawner_init(const struct config *);
/* Polled by the master: readable when a link or a command has news. */
int	spawner_fd(void);
/* A link for a worker about to be forked: its index, and the worker's
 * end in *worker_end (to close in the master once forked); -1 on error. */
int	spawner_link_open(int *worker_end);
void	spawner_link_bind(int link, pid_t worker);
/* The fork failed: forget the link. */
void	spawner_link_drop(int link);
/* In a new worker: closes every descriptor of the spawner's. */
void	spawner_close_inherited(void);
/* Handles what is ready and what is due. */
void	spawner_run(void);
/* The next time spawner_run has something due without an event: a
 * now_ms() time, or 0. */
long long spawner_next_at(void);
/* Whether pid is a command's leader, which only the spawner reaps. */
bool	spawner_owns(pid_t pid);
/* An orphan of a command was reaped: a group waited for may be gone. */
void	spawner_orphan_reaped(void);
/* SIGKILLs every command's group (a hard stop). */
void	spawner_kill_all(void);

#endif
