/* SPDX-License-Identifier: ISC */
/*
 * The streaming loop of one running command: the heart of a session.
 * Every frame of the connection from "started" to "exit" (or "error")
 * goes out through its one poll loop, under its deadlines, with the
 * worker's signals polled all along: nothing in it blocks.
 */
#ifndef REXECD_STREAM_H
#define REXECD_STREAM_H

#include <stdbool.h>

#include "decode.h"
#include "message.h"
#include "spawn.h"
#include "wsignal.h"

/* What the stream needs from its worker, and nothing else. */
struct stream_ctx {
	int		 sock;
	int		 link;		/* to the spawner */
	struct decoder	*dec;		/* may hold frames sent with exec */
	struct wsignal	*sig;		/* polled all along */
	unsigned char	*buf;		/* FRAME_DATA_CHUNK bytes */
	int		 max_timeout;	/* s, 0: none; caps the request's */
	int		 kill_grace;	/* s from SIGTERM to SIGKILL */
	int		 stall_timeout;	/* s without sending progress, 0: off */
	int		 keepalive;	/* s: a vanished client's bound, 0 */
};

/* What happened. */
struct stream_result {
	struct exit_status	 st;
	bool			 sent_exit;	/* false: the client went away */
	const char		*why;		/* when !sent_exit */
	bool			 unread;	/* dropped for not reading */
	unsigned long long	 bytes_out;
	unsigned long long	 bytes_in;
};

/* Sends "started", runs until the exit frame is sent or the session is
 * aborted; the command and its process group are reaped or left only as
 * ssh would. */
void	stream_run(const struct stream_ctx *, struct child *,
	    const struct exec_req *, struct stream_result *);

#endif
