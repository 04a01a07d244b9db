/* SPDX-License-Identifier: ISC */
#include <bsd/stdlib.h>

#include "policy.h"

#define SPAWN_RATE_MAX		32

/*
 * How many to start: up to the minimum; else, when no worker is idle or
 * connections wait that the starting ones will not absorb, spawn_rate
 * (doubling while that lasts) or the waiting ones, whichever is more.
 * Starting workers do not count as idle: a burst would reset the rate.
 */
size_t
policy_spawn(const struct config *cf, const struct tally *t, size_t waiting,
    int *spawn_rate)
{
	size_t want, max = (size_t)cf->max_workers;

	if (t->cur < (size_t)cf->workers)
		want = (size_t)cf->workers - t->cur;
	else if (t->cur_idle + t->cur_starting > 0 &&
	    waiting <= t->cur_starting) {
		if (t->cur_idle > 0)
			*spawn_rate = 1;
		return 0;
	} else {
		want = (size_t)*spawn_rate;
		if (waiting > t->cur_starting &&
		    waiting - t->cur_starting > want)
			want = waiting - t->cur_starting;
		if (*spawn_rate < SPAWN_RATE_MAX)
			*spawn_rate *= 2;
	}
	if (t->alive + want > max)
		want = t->alive < max ? max - t->alive : 0;
	return want;
}

/* Never while connections wait: they are about to take the idle ones. */
bool
policy_retire(const struct config *cf, const struct tally *t, size_t waiting)
{
	return waiting == 0 && t->cur_idle > (size_t)cf->max_spare &&
	    t->cur > (size_t)cf->workers;
}

bool
policy_last_idle_taken(const struct tally *t)
{
	return t->state[SLOT_IDLE] == 0;
}

bool
policy_too_many_from(const struct config *cf, size_t n)
{
	return cf->per_source_startups > 0 &&
	    n > (size_t)cf->per_source_startups;
}

/*
 * Refuse at random as connections that are slow to send their request
 * pile up.  A burst of quick clients is not counted, nor, until full, a
 * client whose address holds no other: the pile-up is someone else's,
 * and the oldest silent ones make room when the pool is short
 * (issue 18: one flooding address made others' requests fail).
 */
bool
policy_too_many_startups(const struct config *cf, const struct tally *t,
    size_t others)
{
	size_t n = t->slow_reading;
	unsigned p;

	if (n < (size_t)cf->startups_begin)
		return false;
	if (n >= (size_t)cf->startups_full)
		return true;
	if (others == 0)
		return false;
	p = (unsigned)cf->startups_rate + (unsigned)((100 -
	    cf->startups_rate) * (n - (size_t)cf->startups_begin) /
	    (size_t)(cf->startups_full - cf->startups_begin));
	return arc4random_uniform(100) < p;
}

/*
 * Every worker taken and the pool at its maximum: silent connections, up
 * to max_workers of them, would starve real clients until
 * request_timeout.
 */
bool
policy_may_starve(const struct config *cf, const struct tally *t)
{
	if (t->state[SLOT_IDLE] > 0 || t->state[SLOT_STARTING] > 0)
		return false;
	return t->state[SLOT_READING] + t->state[SLOT_BUSY] >=
	    (size_t)cf->max_workers;
}
