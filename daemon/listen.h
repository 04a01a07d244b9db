/* SPDX-License-Identifier: ISC */
/* The listening sockets: bound here or handed over by systemd. */
#ifndef REXECD_LISTEN_H
#define REXECD_LISTEN_H

#include <stddef.h>

#include "config.h"

#define LISTEN_FDS_MAX	(LISTEN_MAX * 4)

struct listeners {
	int	fd[LISTEN_FDS_MAX];
	size_t	n;
	bool	activated;		/* from systemd: never closed on reload */
};

/* Refuses exposed addresses without token or allow-list; 0 or -1 + err. */
int	listen_check(const struct config *, char *err, size_t errlen);
/* listen_check for a reload: against the sockets open, which a reload
 * keeps, rather than the addresses cf names. */
int	listen_recheck(const struct config *, const struct listeners *,
	    char *err, size_t errlen);
/* Binds every address (or takes systemd's sockets); fatal on failure. */
void	listen_open(const struct config *, struct listeners *);
void	listen_close(struct listeners *);

#endif
