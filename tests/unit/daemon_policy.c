/* SPDX-License-Identifier: ISC */
/* The pool policy: how many workers to start or retire, whom to refuse,
 * decided over tallies of the scoreboard alone. */
#include <string.h>

#include <criterion/criterion.h>

#include "daemon/policy.h"

static struct config
pool(int workers, int max_workers, int max_spare)
{
	struct config cf;

	memset(&cf, 0, sizeof(cf));
	cf.workers = workers;
	cf.max_workers = max_workers;
	cf.max_spare = max_spare;
	cf.startups_begin = 10;
	cf.startups_rate = 30;
	cf.startups_full = 60;
	return cf;
}

/* cur workers of this generation, idle and starting of them; alive in
 * all (an old generation's too). */
static struct tally
tally(size_t alive, size_t cur, size_t idle, size_t starting)
{
	struct tally t;

	memset(&t, 0, sizeof(t));
	t.alive = alive;
	t.cur = cur;
	t.cur_idle = idle;
	t.cur_starting = starting;
	t.state[SLOT_IDLE] = idle;
	t.state[SLOT_STARTING] = starting;
	t.state[SLOT_BUSY] = cur - idle - starting;
	return t;
}

Test(daemon_policy, spawn_up_to_the_minimum)
{
	struct config cf = pool(4, 16, 8);
	struct tally t = tally(1, 1, 1, 0);
	int rate = 1;

	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 3);
	cr_assert_eq(rate, 1, "the minimum does not touch the rate");
	t = tally(0, 0, 0, 0);
	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 4);
}

/* A reload: the old generation still alive counts against the maximum. */
Test(daemon_policy, spawn_capped_by_max_workers)
{
	struct config cf = pool(4, 6, 8);
	struct tally t = tally(5, 1, 1, 0);
	int rate = 1;

	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 1);
	t = tally(6, 0, 0, 0);
	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 0);
	t = tally(9, 0, 0, 0);		/* above (max_workers lowered) */
	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 0);
}

Test(daemon_policy, idle_workers_reset_the_rate)
{
	struct config cf = pool(2, 64, 8);
	struct tally t = tally(4, 4, 1, 0);
	int rate = 8;

	cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), 0);
	cr_assert_eq(rate, 1);
}

/* Starting workers absorb waiting connections, without resetting it. */
Test(daemon_policy, starting_workers_absorb_waiting)
{
	struct config cf = pool(2, 64, 8);
	struct tally t = tally(4, 4, 0, 2);
	int rate = 4;

	cr_assert_eq(policy_spawn(&cf, &t, 2, &rate), 0);
	cr_assert_eq(rate, 4);
	cr_assert_eq(policy_spawn(&cf, &t, 5, &rate), 4, "rate 4 > 5 - 2");
	cr_assert_eq(rate, 8);
	cr_assert_eq(policy_spawn(&cf, &t, 12, &rate), 10, "12 - 2 > 8");
	cr_assert_eq(rate, 16);
}

Test(daemon_policy, rate_doubles_while_short_up_to_32)
{
	struct config cf = pool(2, 1000, 8);
	struct tally t = tally(2, 2, 0, 0);
	const size_t want[] = { 1, 2, 4, 8, 16, 32, 32, 32 };
	int rate = 1;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(policy_spawn(&cf, &t, 0, &rate), want[i],
		    "turn %zu", i);
	cr_assert_eq(rate, 32);
}

Test(daemon_policy, retire_only_above_spare_and_minimum)
{
	struct config cf = pool(2, 16, 3);
	struct tally t = tally(8, 8, 4, 0);

	cr_assert(policy_retire(&cf, &t, 0));
	cr_assert_not(policy_retire(&cf, &t, 1), "connections wait");
	t = tally(8, 8, 3, 0);
	cr_assert_not(policy_retire(&cf, &t, 0), "idle == max_spare");
	cf = pool(8, 16, 3);
	t = tally(8, 8, 8, 0);
	cr_assert_not(policy_retire(&cf, &t, 0), "at the minimum");
}

Test(daemon_policy, last_idle_taken)
{
	struct tally t = tally(4, 4, 1, 0);

	cr_assert_not(policy_last_idle_taken(&t));
	t = tally(4, 4, 0, 1);
	cr_assert(policy_last_idle_taken(&t), "starting is not idle");
}

Test(daemon_policy, may_starve_when_every_worker_is_taken)
{
	struct config cf = pool(2, 4, 8);
	struct tally t = tally(4, 4, 0, 0);

	t.state[SLOT_BUSY] = 2;
	t.state[SLOT_READING] = 2;
	cr_assert(policy_may_starve(&cf, &t));
	t.state[SLOT_READING] = 1;
	cr_assert_not(policy_may_starve(&cf, &t), "below max_workers");
	t = tally(5, 5, 0, 1);
	t.state[SLOT_BUSY] = 4;
	cr_assert_not(policy_may_starve(&cf, &t), "one is starting");
	t = tally(5, 5, 1, 0);
	t.state[SLOT_BUSY] = 4;
	cr_assert_not(policy_may_starve(&cf, &t), "one is idle");
}

Test(daemon_policy, startups_below_begin_and_at_full)
{
	struct config cf = pool(2, 16, 8);
	struct tally t = tally(2, 2, 0, 0);

	for (int i = 0; i < 1000; i++) {
		t.slow_reading = 9;
		cr_assert_not(policy_too_many_startups(&cf, &t, 1));
		t.slow_reading = 60;
		cr_assert(policy_too_many_startups(&cf, &t, 1));
		t.slow_reading = 1000;
		cr_assert(policy_too_many_startups(&cf, &t, 1));
	}
}

/* rate 0 at begin refuses never, rate 100 always: no chance involved. */
Test(daemon_policy, startups_rate_bounds)
{
	struct config cf = pool(2, 16, 8);
	struct tally t = tally(2, 2, 0, 0);

	t.slow_reading = 10;
	for (int i = 0; i < 1000; i++) {
		cf.startups_rate = 0;
		cr_assert_not(policy_too_many_startups(&cf, &t, 1));
		cf.startups_rate = 100;
		cr_assert(policy_too_many_startups(&cf, &t, 1));
	}
}

/*
 * Half way from begin (30%) to full (100%): 65% refused.  The bounds for
 * 20000 draws are 15 standard deviations away: never crossed by chance.
 */
Test(daemon_policy, startups_refuse_in_proportion)
{
	struct config cf = pool(2, 16, 8);
	struct tally t = tally(2, 2, 0, 0);
	int refused = 0, n = 20000;

	t.slow_reading = 35;
	for (int i = 0; i < n; i++)
		refused += policy_too_many_startups(&cf, &t, 1);
	cr_assert(refused > n * 60 / 100 && refused < n * 70 / 100,
	    "%d of %d refused", refused, n);
}
