/* SPDX-License-Identifier: ISC */
/*
 * The daemon's admission rules before authentication (issue 18): the
 * per-address table (penalties, log budgets, IPv6 by /64) and the
 * policies that use it.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "policy.h"
#include "srctab.h"

static struct srctab *t;

static void
setup(void)
{
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(t, MAP_FAILED);
	srctab_init(t);
}

static void
teardown(void)
{
	munmap(t, sizeof(*t));
}

static struct srckey
key(const char *addr)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct srckey k;

	if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		cr_assert_eq(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}
	srckey_of((struct sockaddr *)&ss, &k);
	return k;
}

TestSuite(admission, .init = setup, .fini = teardown);

Test(admission, ipv6_counts_by_64_and_mapped_ipv4_as_ipv4)
{
	struct srckey a = key("2001:db8:1:2::1"), b = key("2001:db8:1:2:ff::9");
	struct srckey c = key("2001:db8:1:3::1");
	struct srckey m = key("::ffff:10.1.2.3"), v4 = key("10.1.2.3");
	struct srckey v4b = key("10.1.2.4");

	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	cr_assert_neq(memcmp(&a, &c, sizeof(a)), 0);
	cr_assert_eq(memcmp(&m, &v4, sizeof(m)), 0);
	cr_assert_neq(memcmp(&v4, &v4b, sizeof(v4)), 0);
}

Test(admission, penalty_starts_once_min_has_accrued)
{
	struct srckey k = key("192.0.2.1"), other = key("192.0.2.2");
	long long now = 1000000;

	cr_assert_eq(srctab_penalise(t, &k, 5000, 20000, 600000, now), 0);
	cr_assert_eq(srctab_penalise(t, &k, 5000, 20000, 600000, now + 1), 0);
	cr_assert_eq(srctab_penalise(t, &k, 5000, 20000, 600000, now + 2), 0);
	cr_assert_eq(srctab_penalty(t, &k, now + 3), 0, "before min");
	/* The fourth makes 20 s: refused until what is left runs out. */
	cr_assert_gt(srctab_penalise(t, &k, 5000, 20000, 600000, now + 3), 0);
	cr_assert_gt(srctab_penalty(t, &k, now + 4), 15000);
	cr_assert_eq(srctab_penalty(t, &other, now + 4), 0);
	/* Logged once: a further one returns 0 but extends it. */
	cr_assert_eq(srctab_penalise(t, &k, 5000, 20000, 600000, now + 5), 0);
	cr_assert_gt(srctab_penalty(t, &k, now + 20000), 0);
	cr_assert_eq(srctab_penalty(t, &k, now + 26000), 0, "never ends");
	/* It ran out: the next failure starts from nothing again. */
	cr_assert_eq(srctab_penalise(t, &k, 5000, 20000, 600000, now + 27000),
	    0);
	cr_assert_eq(srctab_penalty(t, &k, now + 27001), 0);
}

Test(admission, penalty_never_exceeds_max)
{
	struct srckey k = key("192.0.2.7");
	long long now = 5000000;

	for (int i = 0; i < 1000; i++)
		(void)srctab_penalise(t, &k, 10000, 20000, 60000, now);
	cr_assert_leq(srctab_penalty(t, &k, now), 60000);
	cr_assert_eq(srctab_penalty(t, &k, now + 60000), 0);
}

Test(admission, log_budget_is_per_address_and_per_window)
{
	struct srckey k = key("192.0.2.3"), other = key("192.0.2.4");
	long long now = 7000000;
	int ok = 0;

	for (int i = 0; i < 100; i++)
		ok += srctab_may_log(t, &k, 10, 5000, now + i);
	cr_assert_eq(ok, 10);
	cr_assert(srctab_may_log(t, &other, 10, 5000, now + 100));
	cr_assert(srctab_may_log(t, &k, 10, 5000, now + 5000), "next window");
}

/* More addresses than the table holds: it keeps working, and a running
 * penalty outlives the idle entries around it. */
Test(admission, a_full_table_keeps_penalties)
{
	struct srckey k = key("198.51.100.1");
	long long now = 9000000;
	char addr[32];

	cr_assert_gt(srctab_penalise(t, &k, 30000, 20000, 600000, now), 0);
	for (int i = 0; i < 4 * SRCTAB_SIZE; i++) {
		struct srckey o;

		snprintf(addr, sizeof(addr), "10.%d.%d.%d", i >> 16 & 0xff,
		    i >> 8 & 0xff, i & 0xff);
		o = key(addr);
		(void)srctab_may_log(t, &o, 10, 5000, now + 1 + i / 1000);
	}
	cr_assert_gt(srctab_penalty(t, &k, now + 100), 0);
}

Test(admission, per_source_limit_and_max_startups)
{
	struct config cf = { .per_source_startups = 10, .startups_begin = 10,
	    .startups_rate = 100, .startups_full = 100 };
	struct tally tl = { .slow_reading = 50 };

	cr_assert_not(policy_too_many_from(&cf, 10));
	cr_assert(policy_too_many_from(&cf, 11));
	cf.per_source_startups = 0;
	cr_assert_not(policy_too_many_from(&cf, 1000), "0: no limit");
	/* Between start and full: only an address holding others. */
	cr_assert_not(policy_too_many_startups(&cf, &tl, 0));
	cr_assert(policy_too_many_startups(&cf, &tl, 1));
	tl.slow_reading = 100;
	cr_assert(policy_too_many_startups(&cf, &tl, 0), "full: everyone");
}
