/* SPDX-License-Identifier: ISC */
/* One connection: the exec request, its checks, the command's run. */
#ifndef REXECD_SESSION_H
#define REXECD_SESSION_H

#include <sys/types.h>
#include <sys/socket.h>

#include "config.h"
#include "listen.h"
#include "scoreboard.h"
#include "wsignal.h"

/* What a session needs of its worker. */
struct session_ctx {
	const struct config	*cf;
	struct scoreboard	*sb;		/* the others, for admission */
	struct slot		*slot;		/* ours */
	struct listeners	*l;		/* whose backlog may wait */
	int			 link;		/* to the spawner (master) */
	struct wsignal		*sig;
	unsigned char		*buf;		/* FRAME_DATA_CHUNK bytes */
};

/* Serves the connection on sock and closes it. */
void	session_serve(const struct session_ctx *, int sock,
	    const struct sockaddr_storage *peer);

#endif
