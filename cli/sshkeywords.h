/* SPDX-License-Identifier: ISC */
/* ssh_config(5)'s keywords, as -o NAME=VALUE takes them. */
#ifndef REXEC_CLI_SSHKEYWORDS_H
#define REXEC_CLI_SSHKEYWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* What a keyword does here: most are accepted and ignored. */
enum sshkw_kind {
	KW_IGNORED,
	KW_REFUSED,		/* a usage error, as its option letter */
	KW_PORT,
	KW_USER,
	KW_HOSTNAME,
	KW_CONNECT_TIMEOUT,
	KW_SENDENV,
	KW_SETENV,
	KW_REQUEST_TTY,
	KW_REMOTE_COMMAND,
	KW_LOCAL_FORWARD,
	KW_ESCAPE_CHAR,
	KW_ADDRESS_FAMILY,
	KW_STDIN_NULL,
	KW_SESSION_TYPE,
	KW_GATEWAY_PORTS,
	KW_FORK,
};

struct sshkw {
	const char	*name;		/* as ssh_config(5) spells it */
	enum sshkw_kind	 kind;
	bool		 rexec;		/* also under rexec's own grammar */
	const char	*as;		/* KW_REFUSED: its option, "-J" */
};

/* The keyword, whatever its case, or NULL. */
const struct sshkw	*sshkw_find(const char *name);
/* The whole table, in its (case-insensitive) order, for tests. */
const struct sshkw	*sshkw_table(size_t *n);

#endif
