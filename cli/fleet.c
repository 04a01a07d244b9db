/* SPDX-License-Identifier: ISC */
#include <sys/random.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "fleet.h"
#include "hostlist.h"

static int	 push(const char ***, size_t *, const char *);
static int	 take_pick(struct fleetopts *, const char *);
static int	 pick(struct hostlist *, size_t k);
static uint32_t	 random_below(uint32_t bound, void *failed);

int
fleet_take(struct fleetopts *f, int c, const char *arg)
{
	char *end;
	unsigned long n;

	switch (c) {
	case 'w':
		return push(&f->w, &f->nw, arg);
	case 'x':
		return push(&f->x, &f->nx, arg);
	case 'f':
		errno = 0;
		n = strtoul(arg, &end, 10);
		if (errno != 0 || end == arg || *end != '\0' || n < 1 ||
		    n > HOSTLIST_MAX || arg[0] == '-')
			return usage_error("-f wants a number of hosts from 1 to "
			    "100000, not '%s'", arg);
		f->fanout = n;
		return 0;
	case 'N':
		f->no_prefix = true;
		return 0;
	case 'b':
		f->gather = true;
		return 0;
	case FLEET_OPT_JSON:
		f->json = true;
		return 0;
	case FLEET_OPT_RAW:
		f->raw = true;
		return 0;
	case 'k':
		f->fail_fast = true;
		return 0;
	case FLEET_OPT_BATCH:
		if (rolling_parse(arg, 1, HOSTLIST_MAX, &f->batch) == -1)
			return usage_error("--batch wants a number of hosts "
			    "from 1 to 100000 or a percentage from 1%% to "
			    "100%%, not '%s'", arg);
		return 0;
	case FLEET_OPT_MAX_FAIL:
		if (rolling_parse(arg, 0, HOSTLIST_MAX, &f->max_fail) == -1)
			return usage_error("--max-fail wants a number of hosts "
			    "from 0 to 100000 or a percentage from 0%% to "
			    "100%%, not '%s'", arg);
		return 0;
	case FLEET_OPT_PICK:
		return take_pick(f, arg);
	case FLEET_OPT_OUTDIR:
		if (arg[0] == '\0')
			return usage_error("%s", "--outdir wants a directory");
		f->outdir = arg;
		return 0;
	}
	return -1;
}

bool
fleet_mode(const struct fleetopts *f)
{
	return f->nw > 0;
}

const char *
fleet_stray_option(const struct fleetopts *f, bool with_status)
{
	if (f->nx > 0)
		return "-x";
	if (f->fanout > 0)
		return "-f";
	if (f->no_prefix)
		return "-N";
	if (f->gather)
		return "-b";
	if (f->json && !with_status)
		return "--json";
	if (f->raw)
		return "--raw";
	if (f->batch.set)
		return "--batch";
	if (f->max_fail.set)
		return "--max-fail";
	if (f->fail_fast)
		return "-k";
	if (f->pick > 0)
		return "--pick";
	if (f->outdir != NULL)
		return "--outdir";
	return NULL;
}

int
fleet_check(const struct fleetopts *f)
{
	/* The output goes to the files: there is none to gather or hold. */
	if (f->outdir != NULL && (f->gather || f->json))
		return usage_error("--outdir cannot be used with %s",
		    f->gather ? "-b" : "--json");
	return 0;
}

int
fleet_hosts(const struct fleetopts *f, struct hostlist *hl)
{
	struct hostlist ex = { 0 };
	char err[512];

	for (size_t i = 0; i < f->nw; i++)
		if (hostlist_add(hl, f->w[i], err, sizeof(err)) == -1)
			goto bad;
	for (size_t i = 0; i < f->nx; i++)
		if (hostlist_add(&ex, f->x[i], err, sizeof(err)) == -1)
			goto bad;
	if (hostlist_exclude(hl, &ex) == -1) {
		snprintf(err, sizeof(err), "out of memory");
		goto bad;
	}
	hostlist_free(&ex);
	if (hl->n == 0)
		return usage_error("%s", "no host left after -x");
	if (f->pick > 0 && f->pick < hl->n)
		return pick(hl, f->pick);
	return 0;
bad:
	hostlist_free(&ex);
	return usage_error("%s", err);
}

void
fleet_free(struct fleetopts *f)
{
	free(f->w);
	free(f->x);
	f->w = f->x = NULL;
}

static int
take_pick(struct fleetopts *f, const char *arg)
{
	struct rcount c;

	if (rolling_parse(arg, 1, HOSTLIST_MAX, &c) == -1 || c.percent)
		return usage_error("--pick wants a number of hosts from 1 to "
		    "100000, not '%s'", arg);
	f->pick = c.n;
	return 0;
}

/* --pick: k hosts of the list at random, kept in list order. */
static int
pick(struct hostlist *hl, size_t k)
{
	size_t *idx = malloc(k * sizeof(*idx));
	int failed = 0;

	if (idx == NULL || rolling_pick(hl->n, k, idx, random_below,
	    &failed) == (size_t)-1 || hostlist_keep(hl, idx, k) == -1) {
		free(idx);
		report("out of memory");
		return -1;
	}
	free(idx);
	if (failed) {
		report("getrandom: %s", strerror(failed));
		return -1;
	}
	return 0;
}

/* Uniform: the values below 2^32 mod bound, which would favour the
 * smallest, are drawn again. */
static uint32_t
random_below(uint32_t bound, void *failed)
{
	uint32_t x, skip = -bound % bound;

	do {
		ssize_t n;
		while ((n = getrandom(&x, sizeof(x), 0)) == -1 &&
		    errno == EINTR)
			;
		if (n != sizeof(x)) {
			*(int *)failed = n == -1 ? errno : EIO;
			return 0;
		}
	} while (x < skip);
	return x % bound;
}

static int
push(const char ***v, size_t *n, const char *arg)
{
	const char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (p == NULL)
		return usage_error("%s", "out of memory");
	p[(*n)++] = arg;
	*v = p;
	return 0;
}

