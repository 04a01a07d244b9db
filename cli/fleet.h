/* SPDX-License-Identifier: ISC */
/* Fleet mode's options (-w -x -f -N -b --json --raw, the rolling run's
 * --batch --max-fail -k --pick --outdir) and its host list. */
#ifndef REXEC_CLI_FLEET_H
#define REXEC_CLI_FLEET_H

#include <stdbool.h>
#include <stddef.h>

#include "hostlist.h"
#include "rolling.h"

#define FLEET_FANOUT_DEFAULT	64
/* getopt's letters for the options taken here. */
#define FLEET_GETOPT		"w:x:f:Nbk"
#define FLEET_OPT_JSON		300
#define FLEET_OPT_RAW		301
#define FLEET_OPT_BATCH		302
#define FLEET_OPT_MAX_FAIL	303
#define FLEET_OPT_PICK		304
#define FLEET_OPT_OUTDIR	305

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
	struct rcount	  batch;	/* --batch N or N% */
	struct rcount	  max_fail;	/* --max-fail N or N% */
	bool		  fail_fast;	/* -k */
	size_t		  pick;		/* --pick N; 0: all */
	const char	 *outdir;	/* --outdir DIR */
};

/* Takes one of them; 0, or -1 after a usage error. */
int	fleet_take(struct fleetopts *, int c, const char *arg);
/* Whether -w was given: fleet mode. */
bool	fleet_mode(const struct fleetopts *);
/* Without -w: the first fleet option given anyway (with_status: --json
 * is --status's own), or NULL. */
const char	*fleet_stray_option(const struct fleetopts *, bool with_status);
/* Options that make no sense together: 0, or -1 after a usage error. */
int	fleet_check(const struct fleetopts *);
/* The expanded list, exclusions removed; 0, or -1 after a usage error. */
int	fleet_hosts(const struct fleetopts *, struct hostlist *);
void	fleet_free(struct fleetopts *);

#endif
