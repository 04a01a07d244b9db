/* SPDX-License-Identifier: ISC */
/*
 * The messages between a worker and the spawner (the master), over a
 * SOCK_SEQPACKET socketpair, one per worker: a fixed header, a short
 * text, and descriptors attached with SCM_RIGHTS (after OpenBSD's imsg).
 * The spawner trusts none of it: a worker parses the network and may be
 * the attacker's.
 */
#ifndef REXECD_SPAWNMSG_H
#define REXECD_SPAWNMSG_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

enum spawn_msg_type {
	/* worker -> spawner */
	SM_START = 1,	/* text: the exec header (JSON, no token) */
	SM_SIGNAL,	/* pid, arg: signal, scope: SIG_ bits, pgrp */
	SM_WATCH,	/* pid: say SM_GONE once its group (session) is gone */
	SM_RELEASE,	/* pid: done with it; ended, if still running */
	SM_GROW,	/* the worker took the last idle slot */
	/* spawner -> worker */
	SM_STARTED,	/* pid, scope: STARTED_ bits; fds: [in,] out, err,
			 * or the pty's master */
	SM_FAILED,	/* arg: an err_code, text: the message */
	SM_EXITED,	/* pid, arg: the leader's wait status */
	SM_GONE,	/* pid: no process of the group (session) is left */
	SM_CONNECT,	/* worker -> spawner, text: the connect header (no
			 * token) */
	SM_CONNECTING,	/* spawner -> worker, pid: the connector; fd: its
			 * end of a socketpair that brings SM_STARTED (fd:
			 * the connected socket) or SM_FAILED */
	SM_TYPE_MAX
};

/* Who a signal is for; a command on a pty has a session of groups. */
#define SIG_GROUP	0x1	/* the command's process group */
#define SIG_SESSION	0x2	/* every process of its session */
#define SIG_FOREGROUND	0x4	/* the group pgrp, if in its session */
#define SIG_CONT_AFTER	0x8	/* then SIGCONT, if anyone got it */

#define STARTED_PTY	0x1
#define STARTED_STDIN	0x2	/* the first descriptor is stdin's */

struct spawn_msg {
	uint32_t	type;
	int32_t		pid;
	int32_t		arg;
	uint32_t	scope;
	int32_t		pgrp;
	uint32_t	len;		/* of the text that follows */
};

/* An exec header re-encoded may differ from the client's by a little. */
#define SPAWN_TEXT_MAX	(FRAME_HDR_MAX + 4096)
#define SPAWN_FDS_MAX	3

/* A message received: its header, text (NUL-terminated) and fds. */
struct spawn_in {
	struct spawn_msg m;
	char		 text[SPAWN_TEXT_MAX + 1];
	int		 fd[SPAWN_FDS_MAX];
	int		 nfd;
};

/* Sends one message with text (may be NULL) and nfd descriptors; 0, or
 * -1 with errno. */
int	spawnmsg_send(int sock, const struct spawn_msg *, const char *text,
	    const int *fds, int nfd);
/*
 * Receives one message: 1 with in filled (and its descriptors ours, to
 * close), 0 at EOF, -1 with errno (EAGAIN on a non-blocking socket with
 * nothing; EBADMSG for a malformed one, whose descriptors are closed).
 */
int	spawnmsg_recv(int sock, struct spawn_in *in);
/* Closes the descriptors a message brought. */
void	spawnmsg_close_fds(struct spawn_in *);

#endif
