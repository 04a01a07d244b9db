/* SPDX-License-Identifier: ISC */
/*
 * Rolling runs: the arithmetic of --batch and --max-fail (a count or a
 * percentage of the list) and --pick's random choice.  Pure functions,
 * unit-tested alone; the engine applies them.
 */
#ifndef REXEC_CLI_ROLLING_H
#define REXEC_CLI_ROLLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "N" or "N%". */
struct rcount {
	size_t	n;
	bool	percent;
	bool	set;		/* the option was given */
};

/*
 * Parses arg as "N" or "N%" (decimal digits only), min <= N, N at most
 * max (a count) or 100 (a percentage).  0, or -1 (arg is bad).
 */
int	rolling_parse(const char *arg, size_t min, size_t max,
	    struct rcount *);
/* c of a list of total hosts: N, or N% rounded down (then at_least_one
 * makes 0 a 1). */
size_t	rolling_resolve(const struct rcount *c, size_t total,
	    bool at_least_one);
/* Batches of size hosts in a list of total (both above 0). */
size_t	rolling_batches(size_t total, size_t size);

/* A uniform number below bound (bound > 0), from arg's generator. */
typedef uint32_t	(*rolling_rand)(uint32_t bound, void *arg);
/*
 * k distinct indexes of 0..n chosen at random (all when k >= n), into
 * out (room for min(k, n)) in increasing order; returns their count, or
 * (size_t)-1 when out of memory.
 */
size_t	rolling_pick(size_t n, size_t k, size_t *out, rolling_rand,
	    void *arg);

#endif
