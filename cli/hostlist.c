/* SPDX-License-Identifier: ISC */
/* Expanding host lists: brackets, products, ^FILE, duplicates, -x. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"
#include "seterr.h"

/* user@ + a name + :port, with room to spare. */
#define HOST_LEN_MAX	1024
/* Digits in one bound of a range: the value fits an unsigned long. */
#define RANGE_DIGITS	18
/* A ^FILE line longer than this is not a host list. */
#define FILE_LINE_MAX	4096

struct range {
	unsigned long	lo;
	unsigned long	hi;
	int		width;		/* zero padding of lo; 0: none */
};

struct expander {
	struct hostlist	*hl;
	const char	*item;
	char		*err;
	size_t		 errlen;
	char		 buf[HOST_LEN_MAX];
};

static int	 add_list(struct hostlist *, const char *, size_t, bool,
		    char *, size_t);
static int	 add_file(struct hostlist *, const char *, char *, size_t);
static int	 add_item(struct hostlist *, const char *, char *, size_t);
static const char *group_end(const char *, const char *);
static bool	 is_range_group(const char *, const char *);
static int	 next_range(const char **, const char *, struct range *);
static int	 count_item(const char *, const char *, size_t *);
static int	 expand(struct expander *, const char *, size_t);
static int	 push(struct hostlist *, const char *);
static size_t	 hash(const char *);
static bool	 set_has(const struct hostlist *, const char *);
static int	 set_grow(struct hostlist *);

int
hostlist_add(struct hostlist *hl, const char *list, char *err,
    size_t errlen)
{
	return add_list(hl, list, strlen(list), true, err, errlen);
}

/* Items split at commas outside brackets; an empty list is an error. */
static int
add_list(struct hostlist *hl, const char *list, size_t len, bool files,
    char *err, size_t errlen)
{
	const char *p = list, *end = list + len, *q;
	char item[FILE_LINE_MAX];
	bool any = false;

	while (p < end) {
		for (q = p; q < end && *q != ','; q++)
			if (*q == '[' && (q = group_end(q, end)) == NULL)
				return seterr(err, errlen, "unbalanced '[' in "
				    "host list '%.*s'", (int)len, list);
		if (q > p) {
			if ((size_t)(q - p) >= sizeof(item))
				return seterr(err, errlen, "host list item too "
				    "long");
			memcpy(item, p, (size_t)(q - p));
			item[q - p] = '\0';
			if (item[0] == '^' && files ?
			    add_file(hl, item + 1, err, errlen) == -1 :
			    add_item(hl, item, err, errlen) == -1)
				return -1;
			any = true;
		}
		p = q + 1;
	}
	if (!any)
		return seterr(err, errlen, "empty host list");
	return 0;
}

/* The ']' closing the group at p, or NULL. */
static const char *
group_end(const char *p, const char *end)
{
	while (p < end && *p != ']')
		p++;
	return p < end ? p : NULL;
}

/* One host list per line; blank lines and # comments skipped. */
static int
add_file(struct hostlist *hl, const char *path, char *err, size_t errlen)
{
	char line[FILE_LINE_MAX];
	FILE *f = fopen(path, "re");
	int r = 0;

	if (f == NULL)
		return seterr(err, errlen, "cannot read host file '%s': %s",
		    path, strerror(errno));
	while (r == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *s = line, *e;

		if (strchr(line, '\n') == NULL && !feof(f)) {
			r = seterr(err, errlen, "%s: line too long", path);
			break;
		}
		if ((e = strchr(s, '#')) != NULL)
			*e = '\0';
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (e > s)
			r = add_list(hl, s, (size_t)(e - s), false, err,
			    errlen);
	}
	if (r == 0 && ferror(f))
		r = seterr(err, errlen, "cannot read host file '%s'", path);
	fclose(f);
	return r;
}

static int
add_item(struct hostlist *hl, const char *item, char *err, size_t errlen)
{
	struct expander x = { .hl = hl, .item = item, .err = err,
	    .errlen = errlen };
	size_t count;

	if (count_item(item, item + strlen(item), &count) == -1)
		return seterr(err, errlen, "bad range in host list item '%s'",
		    item);
	if (count > HOSTLIST_MAX || hl->n + count > HOSTLIST_MAX)
		return seterr(err, errlen, "more than %d hosts", HOSTLIST_MAX);
	return expand(&x, item, 0);
}

/* Only digits, ',' and '-': a range; anything else is an IPv6 literal. */
static bool
is_range_group(const char *open, const char *close)
{
	for (const char *p = open + 1; p < close; p++)
		if (!isdigit((unsigned char)*p) && *p != ',' && *p != '-')
			return false;
	return true;
}

/* Parses "lo" or "lo-hi" at *p (then past a ','); 1, 0 at the end, -1. */
static int
next_range(const char **p, const char *end, struct range *r)
{
	const char *s = *p, *d;
	char *e;

	if (s == end)
		return 0;
	for (d = s; d < end && isdigit((unsigned char)*d); d++)
		;
	if (d == s || d - s > RANGE_DIGITS)
		return -1;
	r->lo = r->hi = strtoul(s, &e, 10);
	r->width = s[0] == '0' && d - s > 1 ? (int)(d - s) : 0;
	if (d < end && *d == '-') {
		s = ++d;
		for (; d < end && isdigit((unsigned char)*d); d++)
			;
		if (d == s || d - s > RANGE_DIGITS)
			return -1;
		r->hi = strtoul(s, &e, 10);
		if (r->hi < r->lo)
			return -1;
	}
	if (d < end && *d != ',')
		return -1;
	if (d < end && d + 1 == end)
		return -1;	/* a trailing ',' */
	*p = d < end ? d + 1 : d;
	return 1;
}

/* Hosts the item makes (capped above HOSTLIST_MAX); -1: a bad range. */
static int
count_item(const char *p, const char *end, size_t *count)
{
	*count = 1;
	for (; p < end; p++) {
		const char *close, *q;
		struct range r;
		size_t n = 0;
		int got;

		if (*p != '[' || (close = group_end(p, end)) == NULL ||
		    !is_range_group(p, close))
			continue;
		for (q = p + 1; (got = next_range(&q, close, &r)) == 1; )
			n += r.hi - r.lo + 1 > HOSTLIST_MAX ?
			    HOSTLIST_MAX + 1 : r.hi - r.lo + 1;
		if (got == -1 || n == 0)
			return -1;
		*count = *count * n > HOSTLIST_MAX ? HOSTLIST_MAX + 1 :
		    *count * n;
		p = close;
	}
	return 0;
}

/* The host from rest of the item after len bytes built in x->buf. */
static int
expand(struct expander *x, const char *rest, size_t len)
{
	const char *open = strchr(rest, '['), *close, *q;
	struct range r;

	while (open != NULL && ((close = strchr(open, ']')) == NULL ||
	    !is_range_group(open, close)))
		open = close != NULL ? strchr(close, '[') : NULL;
	if (open == NULL) {
		if (len + strlen(rest) >= sizeof(x->buf))
			return seterr(x->err, x->errlen, "host name too long");
		strcpy(x->buf + len, rest);
		return push(x->hl, x->buf) == -1 ?
		    seterr(x->err, x->errlen, "out of memory") : 0;
	}
	if (len + (size_t)(open - rest) + RANGE_DIGITS + 1 > sizeof(x->buf))
		return seterr(x->err, x->errlen, "host name too long");
	memcpy(x->buf + len, rest, (size_t)(open - rest));
	len += (size_t)(open - rest);
	for (q = open + 1; next_range(&q, close, &r) == 1; )
		for (unsigned long v = r.lo; ; v++) {
			int n = snprintf(x->buf + len, RANGE_DIGITS + 1,
			    "%0*lu", r.width, v);
			if (expand(x, close + 1, len + (size_t)n) == -1)
				return -1;
			if (v == r.hi)
				break;
		}
	return 0;
}

/* Adds host unless it is already there. */
static int
push(struct hostlist *hl, const char *host)
{
	char **hosts;
	size_t i;

	if (set_has(hl, host))
		return 0;
	if (hl->n == hl->cap) {
		size_t cap = hl->cap ? hl->cap * 2 : 16;
		if ((hosts = realloc(hl->hosts, cap * sizeof(*hosts))) == NULL)
			return -1;
		hl->hosts = hosts;
		hl->cap = cap;
	}
	if ((hl->n + 1) * 2 > hl->setcap && set_grow(hl) == -1)
		return -1;
	if ((hl->hosts[hl->n] = strdup(host)) == NULL)
		return -1;
	for (i = hash(host) & (hl->setcap - 1); hl->set[i] != 0;
	    i = (i + 1) & (hl->setcap - 1))
		;
	hl->set[i] = ++hl->n;
	return 0;
}

static size_t
hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return (size_t)h;
}

static bool
set_has(const struct hostlist *hl, const char *host)
{
	if (hl->setcap == 0)
		return false;
	for (size_t i = hash(host) & (hl->setcap - 1); hl->set[i] != 0;
	    i = (i + 1) & (hl->setcap - 1))
		if (strcmp(hl->hosts[hl->set[i] - 1], host) == 0)
			return true;
	return false;
}

/* Twice the room, every host placed again. */
static int
set_grow(struct hostlist *hl)
{
	size_t cap = hl->setcap ? hl->setcap * 2 : 64, *set;

	while (cap < (hl->n + 1) * 2)
		cap *= 2;
	if ((set = calloc(cap, sizeof(*set))) == NULL)
		return -1;
	for (size_t k = 0; k < hl->n; k++) {
		size_t i = hash(hl->hosts[k]) & (cap - 1);
		while (set[i] != 0)
			i = (i + 1) & (cap - 1);
		set[i] = k + 1;
	}
	free(hl->set);
	hl->set = set;
	hl->setcap = cap;
	return 0;
}

int
hostlist_exclude(struct hostlist *hl, const struct hostlist *ex)
{
	size_t kept = 0;

	for (size_t i = 0; i < hl->n; i++) {
		if (set_has(ex, hl->hosts[i]))
			free(hl->hosts[i]);
		else
			hl->hosts[kept++] = hl->hosts[i];
	}
	hl->n = kept;
	free(hl->set);
	hl->set = NULL;
	hl->setcap = 0;
	return hl->n > 0 ? set_grow(hl) : 0;
}

int
hostlist_keep(struct hostlist *hl, const size_t *idx, size_t k)
{
	size_t kept = 0;

	for (size_t i = 0; i < hl->n; i++) {
		if (kept < k && idx[kept] == i)
			hl->hosts[kept++] = hl->hosts[i];
		else
			free(hl->hosts[i]);
	}
	hl->n = kept;
	free(hl->set);
	hl->set = NULL;
	hl->setcap = 0;
	return hl->n > 0 ? set_grow(hl) : 0;
}

void
hostlist_free(struct hostlist *hl)
{
	for (size_t i = 0; i < hl->n; i++)
		free(hl->hosts[i]);
	free(hl->hosts);
	free(hl->set);
	*hl = (struct hostlist){ 0 };
}
