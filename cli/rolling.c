/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rolling.h"

static int	cmp_size(const void *, const void *);

int
rolling_parse(const char *arg, size_t min, size_t max, struct rcount *c)
{
	size_t len = strlen(arg), digits = strspn(arg, "0123456789");
	bool percent = len > 0 && arg[len - 1] == '%';
	unsigned long n;

	/* strtoul alone would take " 5", "+5" and "-5". */
	if (digits == 0 || digits != len - percent)
		return -1;
	errno = 0;
	n = strtoul(arg, NULL, 10);
	if (errno != 0 || n < min || n > (percent ? 100 : max))
		return -1;
	*c = (struct rcount){ .n = n, .percent = percent, .set = true };
	return 0;
}

size_t
rolling_resolve(const struct rcount *c, size_t total, bool at_least_one)
{
	size_t n = c->percent ? total * c->n / 100 : c->n;

	return n == 0 && at_least_one ? 1 : n;
}

size_t
rolling_batches(size_t total, size_t size)
{
	return (total + size - 1) / size;
}

/*
 * A partial Fisher-Yates shuffle of 0..n: the first k places are a
 * uniform choice; sorted back so the picked hosts run in list order.
 */
size_t
rolling_pick(size_t n, size_t k, size_t *out, rolling_rand rnd, void *arg)
{
	size_t *all;

	if (k > n)
		k = n;
	if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		all[i] = i;
	for (size_t i = 0; i < k; i++) {
		size_t j = i + rnd((uint32_t)(n - i), arg), t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	memcpy(out, all, k * sizeof(*out));
	free(all);
	qsort(out, k, sizeof(*out), cmp_size);
	return k;
}

static int
cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}
