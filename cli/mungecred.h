/* SPDX-License-Identifier: ISC */
/*
 * -M: MUNGE credentials from the local munged (at REXEC_MUNGE_SOCKET, or
 * libmunge's default socket), one per connection, each proving our uid
 * to the servers' munged.  munge_encode blocks on munged: one takes
 * about 0.1 ms (bench/README.md), made while connections are under way.
 */
#ifndef REXEC_CLI_MUNGECRED_H
#define REXEC_CLI_MUNGECRED_H

#include <stddef.h>

/* Makes the first credential, so that a munged that is not there stops
 * the run at once: 0, or -1 after one line "rexec: munge: reason". */
int	 mungecred_open(void);
/* A credential (the first one, then new ones), malloc'd; NULL with
 * munged's reason in why. */
char	*mungecred_take(char *why, size_t len);
void	 mungecred_close(void);

#endif
