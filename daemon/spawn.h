/* SPDX-License-Identifier: ISC */
/* Starting a command (in the spawner, the master): fork, pipes,
 * privileges, environment, exec. */
#ifndef REXECD_SPAWN_H
#define REXECD_SPAWN_H

#include <sys/types.h>

#include <stdbool.h>

#include "account.h"
#include "config.h"
#include "errcode.h"
#include "message.h"

struct child {
	pid_t	pid;		/* also the process group */
	int	in_fd;		/* write end of stdin, -1 for /dev/null */
	int	out_fd;		/* read ends, non-blocking */
	int	err_fd;	/* -1 on a pty: its output is out_fd's */
	bool	pty;		/* in_fd and out_fd are the pty's master */
};

/* 0 with ch filled, or -1 with e set (a "spawn" or "internal" error). */
int	spawn_command(const struct config *, const struct exec_req *,
	    struct child *ch, struct proto_error *e);
/* In a child of the master: takes the account's groups, gid and uid
 * (when it is to switch); 0, or -1 with errno. */
int	spawn_become(const struct account *);

#endif
