/* SPDX-License-Identifier: ISC */
/* Output held for -b: the same bytes compare equal however they came
 * in pieces, in memory or in the file, and a byte's difference tells. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "hold.h"

#define BIG	(3 * HOLD_HOST_MEM + 12345)

static unsigned char *
pattern(size_t n, unsigned seed)
{
	unsigned char *p = malloc(n);

	cr_assert_not_null(p);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = (unsigned char)(seed >> 16);
	}
	return p;
}

/* p added in pieces of step bytes (the last one shorter). */
static void
add_in_pieces(struct hold *k, const unsigned char *p, size_t n, size_t step)
{
	for (size_t off = 0; off < n; off += step)
		cr_assert_eq(hold_add(k, p + off, n - off < step ? n - off :
		    step), 0);
}

static void
assert_reads_back(const struct hold *k, const unsigned char *p, size_t n)
{
	unsigned char *b = malloc(n + 1);

	cr_assert_eq(hold_read(k, 0, b, n + 1), (ssize_t)n);
	cr_assert(memcmp(b, p, n) == 0);
	cr_assert_eq(hold_read(k, n - 7, b, 100), 7);
	cr_assert(memcmp(b, p + n - 7, 7) == 0);
	free(b);
}

Test(hold, spilled_outputs_compare_and_read_back)
{
	unsigned char *p = pattern(BIG, 1);
	struct hold a = { 0 }, b = { 0 }, c = { 0 }, small = { 0 };

	add_in_pieces(&a, p, BIG, 8192);
	add_in_pieces(&b, p, BIG, 65537);
	cr_assert(a.spilled && b.spilled);
	cr_assert_null(a.buf);
	cr_assert(hold_same(&a, &b));
	assert_reads_back(&a, p, BIG);
	assert_reads_back(&b, p, BIG);
	p[BIG / 2] ^= 1;	/* same size, one bit apart */
	add_in_pieces(&c, p, BIG, 3);
	cr_assert_not(hold_same(&a, &c));
	add_in_pieces(&small, p, 100, 7);
	cr_assert_not(small.spilled);
	cr_assert_not(hold_same(&a, &small));
	assert_reads_back(&small, p, 100);
	hold_free(&a);
	hold_free(&b);
	hold_free(&c);
	hold_free(&small);
	hold_end();
	free(p);
}

Test(hold, in_memory_and_spilled_alike)
{
	size_t n = HOLD_HOST_MEM - 5;
	unsigned char *p = pattern(HOLD_HOST_MEM + 10, 2);
	struct hold a = { 0 }, b = { 0 };

	add_in_pieces(&a, p, n, 4096);
	add_in_pieces(&b, p, n, 1000);
	cr_assert_not(a.spilled);
	cr_assert(hold_same(&a, &b));
	/* b crosses the bound: now in the file, still the same as a's
	 * when a crosses it too. */
	add_in_pieces(&b, p + n, 15, 15);
	cr_assert(b.spilled);
	cr_assert_not(hold_same(&a, &b));
	add_in_pieces(&a, p + n, 15, 1);
	cr_assert(hold_same(&a, &b));
	assert_reads_back(&a, p, n + 15);
	hold_free(&a);
	hold_free(&b);
	hold_end();
	free(p);
}

/* Many hosts of small outputs: past the total, the next ones spill. */
Test(hold, total_bound)
{
	size_t each = HOLD_HOST_MEM / 2, n = 2 * HOLD_TOTAL_MEM / each;
	struct hold *k = calloc(n, sizeof(*k));
	unsigned char *p = pattern(each, 3);
	size_t spilled = 0;

	for (size_t i = 0; i < n; i++) {
		add_in_pieces(&k[i], p, each, each);
		spilled += k[i].spilled;
	}
	cr_assert_geq(spilled, n / 2 - 1, "%zu of %zu spilled", spilled, n);
	cr_assert(hold_same(&k[0], &k[n - 1]));
	for (size_t i = 0; i < n; i++)
		hold_free(&k[i]);
	hold_end();
	free(k);
	free(p);
}
