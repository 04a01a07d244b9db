/* SPDX-License-Identifier: ISC */
/* Folding hosts back into a host list: n001 n002 n003 n007 -> n[001-003,007]. */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"

/* Longer digit runs are not numbered hosts: their value would overflow. */
#define NUM_DIGITS_MAX	18

/* A host as prefix, number, suffix (its last run of digits). */
struct entry {
	const char	*host;
	size_t		 plen;		/* prefix length */
	size_t		 nlen;		/* digits; 0: no number */
	unsigned long	 value;
	size_t		 order;		/* index in the list */
};

struct group {
	size_t	first;			/* entries[first..last) */
	size_t	last;
	size_t	order;			/* of its first host in the list */
};

struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	bool	 oom;
};

static int	 choose_runs(char *const *, size_t, int *);
static char	*skeleton(const char *);
static bool	 nth_run(const char *, int, size_t *start, size_t *len);
static int	 by_skel(const void *, const void *);
static void	 split(struct entry *, const char *, size_t order, int run);
static int	 by_key_value(const void *, const void *);
static int	 by_order(const void *, const void *);
static int	 key_cmp(const struct entry *, const struct entry *);
static bool	 padded(const struct entry *);
static bool	 adjacent(const struct entry *, const struct entry *);
static void	 put_group(struct strbuf *, const struct entry *, size_t n);
static void	 put(struct strbuf *, const char *, size_t);

char *
hostlist_fold(char *const *hosts, size_t n)
{
	struct entry *e = calloc(n ? n : 1, sizeof(*e));
	struct group *g = calloc(n ? n : 1, sizeof(*g));
	int *run = calloc(n ? n : 1, sizeof(*run));
	struct strbuf b = { 0 };
	size_t ng = 0;

	if (e == NULL || g == NULL || run == NULL ||
	    choose_runs(hosts, n, run) == -1)
		b.oom = true;
	for (size_t i = 0; !b.oom && i < n; i++)
		split(&e[i], hosts[i], i, run[i]);
	free(run);
	if (!b.oom)
		qsort(e, n, sizeof(*e), by_key_value);
	for (size_t i = 0; !b.oom && i < n; i++) {
		if (i == 0 || key_cmp(&e[i - 1], &e[i]) != 0 ||
		    e[i].nlen == 0)
			g[ng++] = (struct group){ i, i, e[i].order };
		g[ng - 1].last = i + 1;
		if (e[i].order < g[ng - 1].order)
			g[ng - 1].order = e[i].order;
	}
	if (!b.oom)
		qsort(g, ng, sizeof(*g), by_order);
	put(&b, "", 0);
	for (size_t i = 0; i < ng; i++) {
		if (i > 0)
			put(&b, ",", 1);
		put_group(&b, e + g[i].first, g[i].last - g[i].first);
	}
	free(e);
	free(g);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

struct shape {
	char	*skel;		/* the host, each run of digits as '#' */
	size_t	 idx;
};

/*
 * The run of digits each host folds on: among hosts of the same shape,
 * the last run that differs (127.0.0.[2-9]:5120, not a bracket of
 * ports); the last run when none does; -1 for none.
 */
static int
choose_runs(char *const *hosts, size_t n, int *run)
{
	struct shape *sh = calloc(n ? n : 1, sizeof(*sh));
	int r = 0;

	for (size_t i = 0; sh != NULL && i < n && r == 0; i++)
		if ((sh[i].skel = skeleton(hosts[i])) == NULL)
			r = -1;
		else
			sh[i].idx = i;
	if (sh == NULL || r == -1)
		goto out;
	qsort(sh, n, sizeof(*sh), by_skel);
	for (size_t i = 0, j; i < n; i = j) {
		int runs = 0, k = -1;
		size_t s0, l0, s1, l1;
		for (j = i; j < n && strcmp(sh[j].skel, sh[i].skel) == 0; j++)
			;
		for (const char *p = sh[i].skel; *p != '\0'; p++)
			runs += *p == '#';
		for (int q = 0; q < runs; q++)
			for (size_t m = i + 1; m < j && k < q; m++) {
				nth_run(hosts[sh[i].idx], q, &s0, &l0);
				nth_run(hosts[sh[m].idx], q, &s1, &l1);
				if (l0 != l1 || memcmp(hosts[sh[i].idx] + s0,
				    hosts[sh[m].idx] + s1, l0) != 0)
					k = q;
			}
		for (size_t m = i; m < j; m++)
			run[sh[m].idx] = k >= 0 ? k : runs - 1;
	}
out:
	for (size_t i = 0; sh != NULL && i < n; i++)
		free(sh[i].skel);
	free(sh);
	return sh == NULL ? -1 : r;
}

static char *
skeleton(const char *host)
{
	char *s = malloc(strlen(host) + 1), *d = s;

	if (s == NULL)
		return NULL;
	for (const char *p = host; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			*d++ = *p;
		else if (p == host || !isdigit((unsigned char)p[-1]))
			*d++ = '#';
	*d = '\0';
	return s;
}

/* Where the k-th run of digits of host is; false when it has fewer. */
static bool
nth_run(const char *host, int k, size_t *start, size_t *len)
{
	const char *p = host;

	for (int i = 0; *p != '\0'; i++) {
		while (*p != '\0' && !isdigit((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		*start = (size_t)(p - host);
		while (isdigit((unsigned char)*p))
			p++;
		*len = (size_t)(p - host) - *start;
		if (i == k)
			return true;
	}
	return false;
}

static int
by_skel(const void *a, const void *b)
{
	const struct shape *x = a, *y = b;
	int c = strcmp(x->skel, y->skel);

	return c != 0 ? c : x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
split(struct entry *e, const char *host, size_t order, int run)
{
	size_t start, len;

	*e = (struct entry){ .host = host, .plen = strlen(host),
	    .order = order };
	if (run >= 0 && nth_run(host, run, &start, &len) &&
	    len <= NUM_DIGITS_MAX) {
		e->plen = start;
		e->nlen = len;
		e->value = strtoul(host + start, NULL, 10);
	}
}

/* Same prefix and suffix (and both numbered, or the same whole name). */
static int
key_cmp(const struct entry *a, const struct entry *b)
{
	const char *as = a->host + a->plen + a->nlen;
	const char *bs = b->host + b->plen + b->nlen;
	size_t n = a->plen < b->plen ? a->plen : b->plen;
	int c;

	if ((c = memcmp(a->host, b->host, n)) != 0)
		return c;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if ((a->nlen == 0) != (b->nlen == 0))
		return a->nlen == 0 ? -1 : 1;
	return strcmp(as, bs);
}

static int
by_key_value(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int c = key_cmp(a, b);

	if (c != 0)
		return c;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if (a->nlen != b->nlen)
		return a->nlen < b->nlen ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int
by_order(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	return a->order < b->order ? -1 : a->order > b->order;
}

static bool
padded(const struct entry *e)
{
	return e->nlen > 1 && e->host[e->plen] == '0';
}

/* b follows a in one range: the next value, written the same way. */
static bool
adjacent(const struct entry *a, const struct entry *b)
{
	return b->value == a->value + 1 &&
	    (a->nlen == b->nlen || (!padded(a) && !padded(b)));
}

/* n entries of one key, sorted: "name", "n007" or "n[001-003,007]". */
static void
put_group(struct strbuf *b, const struct entry *e, size_t n)
{
	const char *suffix = e[0].host + e[0].plen + e[0].nlen;
	size_t i = 0, distinct = 1;

	for (size_t k = 1; k < n; k++)
		distinct += e[k].value != e[k - 1].value ||
		    e[k].nlen != e[k - 1].nlen;
	if (e[0].nlen == 0 || distinct == 1) {
		put(b, e[0].host, strlen(e[0].host));
		return;
	}
	put(b, e[0].host, e[0].plen);
	put(b, "[", 1);
	while (i < n) {
		size_t j = i;
		while (j + 1 < n && (adjacent(&e[j], &e[j + 1]) ||
		    (e[j + 1].value == e[j].value &&
		    e[j + 1].nlen == e[j].nlen)))
			j++;
		if (i > 0)
			put(b, ",", 1);
		put(b, e[i].host + e[i].plen, e[i].nlen);
		if (e[j].value != e[i].value) {
			put(b, "-", 1);
			put(b, e[j].host + e[j].plen, e[j].nlen);
		}
		i = j + 1;
	}
	put(b, "]", 1);
	put(b, suffix, strlen(suffix));
}

static void
put(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->s, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}
