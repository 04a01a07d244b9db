/* SPDX-License-Identifier: ISC */
/*
 * The worker's side of the spawner: it asks the master to start its
 * command, to signal it and to tell when it is gone.  The worker holds no
 * privilege: the command's pipes (or pty master) come back to it, and the
 * rest is the spawner's.
 */
#ifndef REXECD_SPAWNREQ_H
#define REXECD_SPAWNREQ_H

#include <sys/types.h>

#include "connectmsg.h"
#include "errcode.h"
#include "message.h"
#include "spawn.h"
#include "spawnmsg.h"

/* What spawnreq_news found. */
#define SPAWN_NEWS_NONE		0
#define SPAWN_NEWS_EXITED	1	/* *status is the leader's */
#define SPAWN_NEWS_GONE		2	/* nothing of the group is left */
#define SPAWN_NEWS_LOST		-1	/* the spawner is gone */

/* 0 with ch filled, or -1 with e set (a spawn, auth or internal error).
 * conn: "client_ip client_port server_ip server_port", or NULL. */
int	spawnreq_start(int link, const struct exec_req *, const char *conn,
	    struct child *ch, struct proto_error *e);
/* Asks for a connect request's connection: 0 with *fd, the connector's
 * end of a socketpair (non-blocking) that brings SM_STARTED with the
 * connected socket or SM_FAILED; or -1 with e set. */
int	spawnreq_connect(int link, const struct connect_req *, int *fd,
	    struct proto_error *e);
/* sig to the command pid: scope is SIG_ bits (spawnmsg.h); pgrp for
 * SIG_FOREGROUND. */
void	spawnreq_signal(int link, pid_t pid, int sig, unsigned scope,
	    pid_t pgrp);
/* Asks for SPAWN_NEWS_GONE once no process of the group is left. */
void	spawnreq_watch(int link, pid_t pid);
/* The worker is done with the command: the spawner reaps it (or ends
 * it, if it still runs). */
void	spawnreq_release(int link, pid_t pid);
/* Tells the master the pool must grow now. */
void	spawnreq_grow(int link);
/* Reads one piece of news of pid, without blocking. */
int	spawnreq_news(int link, pid_t pid, int *status);

#endif
