#include <time.h>

#include "clock.h"

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
