/* SPDX-License-Identifier: ISC */
/*
 * The account a command runs as: the daemon's default one, or the one the
 * client asked for when the users key lets it, looked up once and cached.
 */
#ifndef REXECD_ACCOUNT_H
#define REXECD_ACCOUNT_H

#include <sys/types.h>

#include <limits.h>
#include <stdbool.h>

#include "config.h"

struct account {
	uid_t	uid;
	gid_t	gid;
	bool	drop;		/* switch to uid/gid before exec */
	char	name[USER_MAX];
	char	home[PATH_MAX];
	char	shell[PATH_MAX];
	gid_t	*groups;	/* supplementary groups, when drop */
	int	ngroups;
};

/* What a client is told, whether the account is missing or not allowed. */
#define ACCOUNT_REFUSED	"account not available"

/* Once, in the master before any fork: the daemon's own account. */
void			 account_init(void);
/*
 * The account for a request asking for user (NULL: the default), or NULL
 * when it may not be used; then why (for the log only) says which rule
 * refused it.  The result stays valid until the next call.
 */
const struct account	*account_get(const struct config *, const char *user,
			    const char **why);

#endif
