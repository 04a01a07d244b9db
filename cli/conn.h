/*
 * One host's connection as a state machine: connecting (non-blocking,
 * address after address), sending the request, stdin, signals, reading
 * frames, handing output to the writer, retrying after "busy".  The
 * engine asks what it waits for (conn_pollfd) and tells it what happened
 * (conn_ready, conn_tick); nothing here blocks.
 */
#ifndef REXEC_CLI_CONN_H
#define REXEC_CLI_CONN_H

#include <poll.h>
#include <stdbool.h>

#include <jansson.h>

#include "engineopts.h"
#include "host.h"

struct conn;

/* Where a connection stands with the broadcast stdin. */
enum conn_stdin { CONN_STDIN_NONE, CONN_STDIN_BEHIND, CONN_STDIN_AT_END };

/* Starts connecting to h; NULL when out of memory (h is then failed). */
struct conn	*conn_start(struct host *h, const struct engine_opts *);
void		 conn_free(struct conn *);

/* The socket and events it waits for (fd -1: none), and its deadline. */
void	conn_pollfd(const struct conn *, struct pollfd *, long long *deadline);
void	conn_ready(struct conn *, short revents);
/* Its deadline passed. */
void	conn_tick(struct conn *, long long now);
/* One try at every transfer that need not wait; true when another
 * round could move more without a poll. */
bool	conn_pump(struct conn *);
/* Finished and its output written: h holds the outcome. */
bool	conn_done(const struct conn *);
bool	conn_connected(const struct conn *);
bool	conn_started(const struct conn *);
enum conn_stdin conn_stdin(const struct conn *);

void	conn_signal(struct conn *, int signo);
/* Gives up at once (the third ^C): reset, "interrupted". */
void	conn_interrupt(struct conn *, const char *why);
/* Queues a control frame after those queued (steals hdr); 0 or -1. */
int	conn_send_frame(struct conn *, json_t *hdr);
void	conn_send_winsize(struct conn *);

#endif
