/* SPDX-License-Identifier: ISC */
/*
 * The ssh options rexec takes so that tools calling ssh (rsync -e, git's
 * GIT_SSH_COMMAND, clush's ssh_path) work unchanged: -o NAME=VALUE, -4,
 * -6, -q, -a, -2 and -G; under rexec-ssh (full) every ssh_config(5)
 * keyword, and what ssh's own letters set (sshgrammar.c).
 */
#ifndef REXEC_CLI_SSHOPTS_H
#define REXEC_CLI_SSHOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "fwdspec.h"

/* RequestTTY, -t, -T. */
enum ssh_tty { SSH_TTY_UNSET, SSH_TTY_AUTO, SSH_TTY_NO, SSH_TTY_YES,
	SSH_TTY_FORCE };
/* SessionType, -s, -N. */
enum ssh_session { SSH_SESSION_UNSET, SSH_SESSION_DEFAULT,
	SSH_SESSION_SUBSYSTEM, SSH_SESSION_NONE };
/* EscapeChar, -e: a byte, or one of these. */
#define SSH_ESCAPE_UNSET	0
#define SSH_ESCAPE_NONE		(-1)

/* A value given twice: the first wins, as in ssh_config(5). */
struct sshopts {
	bool	  full;			/* rexec-ssh: every keyword */
	char	 *port;			/* -o Port */
	char	 *user;			/* -o User */
	double	  connect_timeout;	/* -o ConnectTimeout; 0: not given */
	char	**sendenv;		/* -o SendEnv patterns */
	size_t	  nsendenv;
	int	  family;		/* -4, -6: AF_INET, AF_INET6 */
	bool	  quiet;		/* -q */
	bool	  print_config;		/* -G */
	char	 *hostname;		/* -o HostName */
	char	 *remote_command;	/* -o RemoteCommand; NULL: none */
	bool	  remote_command_set;	/* even as "none" */
	char	**setenv;		/* -o SetEnv NAME=VALUE, owned */
	size_t	  nsetenv;
	enum ssh_tty	 request_tty;
	enum ssh_session session;
	int	  escape;		/* SSH_ESCAPE_UNSET: never set */
	bool	  stdin_null;		/* -o StdinNull */
	struct fwdopts	 fwd;		/* -L -W -g -N -f and keywords */
};

/* poll(2) counts milliseconds in an int. */
#define CONNECT_TIMEOUT_MAX	86400.0

/* The short options handled here, for getopt, "o:" included. */
#define SSHOPTS_GETOPT	"o:46qa2G"

/* Takes one of them (c from getopt, arg its value); 0, or -1 after a
 * usage error naming the option. */
int	sshopts_take(struct sshopts *, int c, const char *arg);

/* "none", one character, or ^X (a control character) into *c; 0, or -1
 * after a usage error naming opt. */
int	sshopts_escape(const char *opt, const char *arg, int *c);

/*
 * Appends the SetEnv variables, then "NAME=VALUE" for each environment variable matching a SendEnv
 * pattern, unless env already sets NAME (an explicit -e wins).  The
 * strings stay the sshopts' and environ's.  env is
 * NULL-terminated with *envc entries; 0, or -1 on ENOMEM.
 */
int	sshopts_sendenv(const struct sshopts *, char ***env, size_t *envc);

/* -G: prints the settings, as ssh -G does for the keys it shares. */
void	sshopts_print(const char *host, const char *port, const char *user);

void	sshopts_free(struct sshopts *);

#endif
