/* SPDX-License-Identifier: ISC */
#include <time.h>

#include "clock.h"

#define TIMEOUT_MAX_MS	(24LL * 3600 * 1000)

/* CLOCK_MONOTONIC cannot fail with a valid timespec: no error to handle. */
long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long
now_ms(void)
{
	return now_us() / 1000;
}

void
deadline_merge(long long *t, long long at)
{
	if (at > 0 && (*t == 0 || at < *t))
		*t = at;
}

int
deadline_timeout(long long t, long long now)
{
	if (t == 0)
		return -1;
	if (t <= now)
		return 0;
	return t - now > TIMEOUT_MAX_MS ? (int)TIMEOUT_MAX_MS : (int)(t - now);
}
