/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "fleet.h"
#include "hostlist.h"

static int	 push(const char ***, size_t *, const char *);

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
	return NULL;
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
push(const char ***v, size_t *n, const char *arg)
{
	const char **p = realloc(*v, (*n + 1) * sizeof(**v));

	if (p == NULL)
		return usage_error("%s", "out of memory");
	p[(*n)++] = arg;
	*v = p;
	return 0;
}

