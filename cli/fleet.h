/* SPDX-License-Identifier: ISC */
/* Fleet mode's options (-w -x -f -N -b --json --raw) and its host list. */
#ifndef REXEC_CLI_FLEET_H
#define REXEC_CLI_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "hostlist.h"

#define FLEET_FANOUT_DEFAULT	64
/* getopt's letters for the options taken here. */
#define FLEET_GETOPT		"w:x:f:Nb"
#define FLEET_OPT_JSON		300
#define FLEET_OPT_RAW		301

struct fleetopts {
	const char	**w;		/* -w lists */
	size_t		  nw;
	const char	**x;		/* -x lists */
	size_t		  nx;
	size_t		  fanout;	/* 0: the default */
	bool		  no_prefix;
	bool		  gather;
	bool		  json;
	bool		  raw;		/* --raw: output as it came, on a tty too */
};

/* Takes one of them; 0, or -1 after a usage error. */
int	fleet_take(struct fleetopts *, int c, const char *arg);
/* Whether -w was given: fleet mode. */
bool	fleet_mode(const struct fleetopts *);
/* Without -w: the first fleet option given anyway (with_status: --json
 * is --status's own), or NULL. */
const char	*fleet_stray_option(const struct fleetopts *, bool with_status);
/* The expanded list, exclusions removed; 0, or -1 after a usage error. */
int	fleet_hosts(const struct fleetopts *, struct hostlist *);
void	fleet_free(struct fleetopts *);

#endif
