/* SPDX-License-Identifier: ISC */
/*
 * Host lists in pdsh/clush syntax: "n[001-003,7]", products of several
 * bracket groups, "^FILE", IPv6 literals in brackets, user@ and :port;
 * and the reverse, folding hosts back into "n[001-003,007]".
 */
#ifndef REXEC_CLI_HOSTLIST_H
#define REXEC_CLI_HOSTLIST_H

#include <stddef.h>

/* More hosts than this in one list is a usage error. */
#define HOSTLIST_MAX	100000

struct hostlist {
	char	**hosts;	/* in list order, each once */
	size_t	  n;
	size_t	  cap;
	/* Open-addressed set of indexes + 1 into hosts (0: empty slot). */
	size_t	 *set;
	size_t	  setcap;
};

/*
 * Adds the hosts of a comma-separated list (items may be "^FILE").
 * Duplicates are dropped.  0, or -1 with a message in err.
 */
int	hostlist_add(struct hostlist *, const char *list, char *err,
	    size_t errlen);
/* Removes every host of ex (in place, order kept); 0 or -1 (ENOMEM). */
int	hostlist_exclude(struct hostlist *, const struct hostlist *ex);
/* Keeps only the hosts at idx[0..k) (increasing), in that order; 0 or
 * -1 (ENOMEM). */
int	hostlist_keep(struct hostlist *, const size_t *idx, size_t k);
void	hostlist_free(struct hostlist *);

/*
 * The hosts folded: those differing only in their last number become one
 * bracket of ranges ("n[001-003,007]"), groups in order of their first
 * host, joined by ",".  malloc'd, NULL on ENOMEM.
 */
char	*hostlist_fold(char *const *hosts, size_t n);

#endif
