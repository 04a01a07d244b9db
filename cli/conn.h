/* SPDX-License-Identifier: ISC */
/*
 * One host's run: its transport (link.c) and what the server's frames
 * mean: output handed to the writer (raw, in lines, or held), "started",
 * the exit status, errors and "busy", the host's outcome.  The engine
 * asks what it waits for (conn_pollfd) and tells it what happened
 * (conn_ready, conn_tick); nothing here blocks.
 */
#ifndef REXEC_CLI_CONN_H
#define REXEC_CLI_CONN_H

#include <poll.h>
#include <stdbool.h>

#include <jansson.h>

#include "engineopts.h"
#include "host.h"
#include "link.h"

struct conn;

/* Descriptors a connection may wait on: its socket, a -L stream. */
#define CONN_PFDS	2

/* Starts reaching h; NULL when out of memory (h is then failed). */
struct conn	*conn_start(struct host *h, const struct engine_opts *);
/* The same with request instead of o->exec, and fd (an accepted -L
 * connection, now owned) instead of stdin and stdout. */
struct conn	*conn_start_stream(struct host *h, const struct engine_opts *,
		    json_t *request, int fd);
void		 conn_free(struct conn *);
/* The host it runs for. */
struct host	*conn_host(const struct conn *);

/* The descriptors and events it waits for (fd -1: none), and its
 * deadline; then what poll said of them. */
void	conn_pollfd(const struct conn *, struct pollfd pfd[CONN_PFDS],
	    long long *deadline);
void	conn_ready(struct conn *, const struct pollfd pfd[CONN_PFDS]);
/* Time passed (its deadline, or a lookup answered meanwhile). */
void	conn_tick(struct conn *, long long now);
/* One try at every transfer that need not wait; true when another
 * round could move more without a poll. */
bool	conn_pump(struct conn *);
/* Finished and its output written: h holds the outcome. */
bool	conn_done(const struct conn *);
/* Connected to its server now (never once it failed or finished). */
bool	conn_connected(const struct conn *);
bool	conn_started(const struct conn *);
enum conn_stdin conn_stdin(const struct conn *);

void	conn_signal(struct conn *, int signo);
/* Gives up at once (the third ^C): reset, "interrupted". */
void	conn_interrupt(struct conn *, const char *why);
/* Ends it at once, quietly. */
void	conn_drop(struct conn *);
/* A winsize frame, when the local terminal's size changed. */
void	conn_send_winsize(struct conn *);

#endif
