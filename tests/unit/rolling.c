/* SPDX-License-Identifier: ISC */
/* Rolling runs: --batch/--max-fail counts and percentages, --pick's
 * choice, and the fleet options' parsing and combinations. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fleet.h"
#include "rolling.h"
#include "terminal.h"

static bool
parses(const char *arg, size_t min, size_t max, size_t n, bool percent)
{
	struct rcount c = { 0 };

	if (rolling_parse(arg, min, max, &c) == -1)
		return false;
	cr_assert(c.set);
	cr_assert_eq(c.n, n, "%s: %zu", arg, c.n);
	cr_assert_eq(c.percent, percent, "%s", arg);
	return true;
}

Test(rolling, parse_counts_and_percentages)
{
	cr_assert(parses("5", 1, 100000, 5, false));
	cr_assert(parses("100000", 1, 100000, 100000, false));
	cr_assert(parses("10%", 1, 100000, 10, true));
	cr_assert(parses("100%", 1, 100000, 100, true));
	cr_assert(parses("0", 0, 100000, 0, false));
	cr_assert(parses("0%", 0, 100000, 0, true));
	cr_assert(parses("007", 1, 100000, 7, false));
}

Test(rolling, parse_refuses)
{
	static const char *const bad[] = { "", "%", "0", "0%", "101%",
	    "100001", "-1", "+1", " 1", "1 ", "1.5", "1.5%", "1%%", "%1",
	    "5x", "0x10", "99999999999999999999", "99999999999999999999%",
	    NULL };
	struct rcount c = { 0 };

	for (size_t i = 0; bad[i] != NULL; i++)
		cr_assert_eq(rolling_parse(bad[i], 1, 100000, &c), -1,
		    "'%s' taken", bad[i]);
	cr_assert(!c.set);
}

static size_t
resolve(size_t n, bool percent, size_t total, bool at_least_one)
{
	struct rcount c = { .n = n, .percent = percent, .set = true };

	return rolling_resolve(&c, total, at_least_one);
}

/* N% of the list rounded down; a batch at least 1, a limit maybe 0. */
Test(rolling, percentages_round_down)
{
	cr_assert_eq(resolve(10, true, 100, true), 10);
	cr_assert_eq(resolve(10, true, 109, true), 10);
	cr_assert_eq(resolve(10, true, 110, true), 11);
	cr_assert_eq(resolve(33, true, 10, true), 3);
	cr_assert_eq(resolve(99, true, 10, true), 9);
	cr_assert_eq(resolve(100, true, 7, true), 7);
	cr_assert_eq(resolve(10, true, 5, true), 1);
	cr_assert_eq(resolve(10, true, 5, false), 0);
	cr_assert_eq(resolve(0, true, 100000, false), 0);
	cr_assert_eq(resolve(1, true, 100000, true), 1000);
	cr_assert_eq(resolve(100, true, 100000, true), 100000);
	cr_assert_eq(resolve(5, false, 3, true), 5);
	cr_assert_eq(resolve(2, false, 3, false), 2);
}

Test(rolling, batches)
{
	cr_assert_eq(rolling_batches(10, 3), 4);
	cr_assert_eq(rolling_batches(10, 10), 1);
	cr_assert_eq(rolling_batches(10, 20), 1);
	cr_assert_eq(rolling_batches(1, 1), 1);
	cr_assert_eq(rolling_batches(100000, 1), 100000);
}

/* A seeded xorshift: the same choices every run, no flaky test. */
static uint32_t
seeded(uint32_t bound, void *arg)
{
	uint64_t *s = arg;

	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s % bound);
}

static uint32_t
always_last(uint32_t bound, void *arg)
{
	(void)arg;
	return bound - 1;
}

static void
assert_picked(const size_t *idx, size_t k, size_t n)
{
	for (size_t i = 0; i < k; i++) {
		cr_assert_lt(idx[i], n);
		if (i > 0)
			cr_assert_lt(idx[i - 1], idx[i], "not distinct or not in "
			    "order at %zu", i);
	}
}

Test(rolling, pick_distinct_in_list_order)
{
	size_t idx[64];
	uint64_t seed = 42;

	for (size_t n = 1; n <= 64; n++)
		for (size_t k = 1; k <= n + 2; k++) {
			size_t got = rolling_pick(n, k, idx, seeded, &seed);
			cr_assert_eq(got, k < n ? k : n);
			assert_picked(idx, got, n);
		}
	cr_assert_eq(rolling_pick(5, 5, idx, always_last, NULL), 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(idx[i], i);
	cr_assert_eq(rolling_pick(5, 2, idx, always_last, NULL), 2);
	cr_assert_eq(idx[0], 0);
	cr_assert_eq(idx[1], 4);
}

/* Every host may be chosen: over 4000 picks of 1 of 8, each index
 * about 500 times (the generator is seeded: no chance involved). */
Test(rolling, pick_reaches_every_host)
{
	unsigned seen[8] = { 0 };
	uint64_t seed = 7;
	size_t idx[1];

	for (int i = 0; i < 4000; i++) {
		cr_assert_eq(rolling_pick(8, 1, idx, seeded, &seed), 1);
		seen[idx[0]]++;
	}
	for (int i = 0; i < 8; i++)
		cr_assert(seen[i] > 350 && seen[i] < 650, "%d: %u", i,
		    seen[i]);
}

static int
take(struct fleetopts *f, int c, const char *arg)
{
	return fleet_take(f, c, arg);
}

Test(rolling, fleet_options)
{
	struct fleetopts f = { 0 };

	cr_assert_eq(take(&f, FLEET_OPT_BATCH, "10%"), 0);
	cr_assert(f.batch.set && f.batch.percent && f.batch.n == 10);
	cr_assert_eq(take(&f, FLEET_OPT_MAX_FAIL, "2"), 0);
	cr_assert(f.max_fail.set && !f.max_fail.percent && f.max_fail.n == 2);
	cr_assert_eq(take(&f, FLEET_OPT_PICK, "3"), 0);
	cr_assert_eq(f.pick, 3);
	cr_assert_eq(take(&f, FLEET_OPT_OUTDIR, "/tmp/x"), 0);
	cr_assert_str_eq(f.outdir, "/tmp/x");
	cr_assert_eq(fleet_check(&f), 0);
	cr_assert_eq(take(&f, 'k', NULL), 0);
	cr_assert(f.fail_fast);
	cr_assert_eq(take(&f, FLEET_OPT_BATCH, "0"), -1);
	cr_assert_eq(take(&f, FLEET_OPT_BATCH, "0%"), -1);
	cr_assert_eq(take(&f, FLEET_OPT_MAX_FAIL, "-1"), -1);
	cr_assert_eq(take(&f, FLEET_OPT_PICK, "0"), -1);
	cr_assert_eq(take(&f, FLEET_OPT_PICK, "50%"), -1);
	cr_assert_eq(take(&f, FLEET_OPT_OUTDIR, ""), -1);
	fleet_free(&f);
}

Test(rolling, combinations)
{
	struct fleetopts f = { 0 };

	f.outdir = "d";
	f.gather = true;
	cr_assert_eq(fleet_check(&f), -1);
	f.gather = false;
	f.json = true;
	cr_assert_eq(fleet_check(&f), -1);
	f.json = false;
	f.batch = (struct rcount){ .n = 1, .set = true };
	f.pick = 2;
	cr_assert_eq(fleet_check(&f), 0);
	f.fail_fast = true;
	cr_assert_eq(fleet_check(&f), 0);
	f.max_fail = (struct rcount){ .n = 1, .set = true };
	cr_assert_eq(fleet_check(&f), 0, "-k acts at --max-fail's limit");
}

/* Without -w each is a stray: "--batch is an option of fleet mode". */
Test(rolling, strays_without_w)
{
	struct fleetopts f = { 0 };

	f.batch.set = true;
	cr_assert_str_eq(fleet_stray_option(&f, false), "--batch");
	f = (struct fleetopts){ .max_fail = { .set = true } };
	cr_assert_str_eq(fleet_stray_option(&f, false), "--max-fail");
	f = (struct fleetopts){ .fail_fast = true };
	cr_assert_str_eq(fleet_stray_option(&f, false), "-k");
	f = (struct fleetopts){ .pick = 1 };
	cr_assert_str_eq(fleet_stray_option(&f, false), "--pick");
	f = (struct fleetopts){ .outdir = "d" };
	cr_assert_str_eq(fleet_stray_option(&f, false), "--outdir");
}

/* --pick over a real list: N distinct hosts of it, in list order. */
Test(rolling, pick_on_a_host_list)
{
	struct fleetopts f = { 0 };
	struct hostlist hl = { 0 };
	const char *w = "n[01-20]";

	f.w = &w;
	f.nw = 1;
	f.pick = 5;
	cr_assert_eq(fleet_hosts(&f, &hl), 0);
	cr_assert_eq(hl.n, 5);
	for (size_t i = 1; i < hl.n; i++)
		cr_assert_lt(strcmp(hl.hosts[i - 1], hl.hosts[i]), 0);
	hostlist_free(&hl);
	f.pick = 30;
	cr_assert_eq(fleet_hosts(&f, &hl), 0);
	cr_assert_eq(hl.n, 20);
	hostlist_free(&hl);
}
