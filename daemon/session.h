/* One connection: the exec request, its checks, the command's run. */
#ifndef REXECD_SESSION_H
#define REXECD_SESSION_H

#include <sys/socket.h>

#include "worker.h"

/* Serves the connection on sock and closes it. */
void	session_serve(struct worker *, int sock,
	    const struct sockaddr_storage *peer);

#endif
