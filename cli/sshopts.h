/* SPDX-License-Identifier: ISC */
/*
 * The ssh options rexec takes so that tools calling ssh (rsync -e, git's
 * GIT_SSH_COMMAND, clush's ssh_path) work unchanged: -o NAME=VALUE, -4,
 * -6, -q, -a, -2 and -G.
 */
#ifndef REXEC_CLI_SSHOPTS_H
#define REXEC_CLI_SSHOPTS_H

#include <stdbool.h>
#include <stddef.h>

struct sshopts {
	char	 *port;			/* -o Port */
	char	 *user;			/* -o User */
	double	  connect_timeout;	/* -o ConnectTimeout; 0: not given */
	char	**sendenv;		/* -o SendEnv patterns */
	size_t	  nsendenv;
	int	  family;		/* -4, -6: AF_INET, AF_INET6 */
	bool	  quiet;		/* -q */
	bool	  print_config;		/* -G */
};

/* poll(2) counts milliseconds in an int. */
#define CONNECT_TIMEOUT_MAX	86400.0

/* The short options handled here, for getopt, "o:" included. */
#define SSHOPTS_GETOPT	"o:46qa2G"

/* Takes one of them (c from getopt, arg its value); 0, or -1 after a
 * usage error naming the option. */
int	sshopts_take(struct sshopts *, int c, const char *arg);

/*
 * Appends "NAME=VALUE" for each environment variable matching a SendEnv
 * pattern, unless env already sets NAME (an explicit -e wins).  env is
 * NULL-terminated with *envc entries; 0, or -1 on ENOMEM.
 */
int	sshopts_sendenv(const struct sshopts *, char ***env, size_t *envc);

/* -G: prints the settings, as ssh -G does for the keys it shares. */
void	sshopts_print(const char *host, const char *port, const char *user);

void	sshopts_free(struct sshopts *);

#endif
