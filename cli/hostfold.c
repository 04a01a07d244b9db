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

static void	 split(struct entry *, const char *, size_t order);
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
	struct strbuf b = { 0 };
	size_t ng = 0;

	if (e == NULL || g == NULL)
		b.oom = true;
	for (size_t i = 0; !b.oom && i < n; i++)
		split(&e[i], hosts[i], i);
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

static void
split(struct entry *e, const char *host, size_t order)
{
	size_t len = strlen(host), end = len, start;

	while (end > 0 && !isdigit((unsigned char)host[end - 1]))
		end--;
	start = end;
	while (start > 0 && isdigit((unsigned char)host[start - 1]))
		start--;
	*e = (struct entry){ .host = host, .plen = len, .order = order };
	if (end > start && end - start <= NUM_DIGITS_MAX) {
		e->plen = start;
		e->nlen = end - start;
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
