/* SPDX-License-Identifier: ISC */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "progress.h"

/* Shown only for copies lasting longer than this. */
#define PROGRESS_AFTER_MS	1000
#define PROGRESS_EVERY_MS	250

static struct {
	bool		 on;
	bool		 shown;
	long long	 t0;
	long long	 last;
} pg;

static void	 put(const char *, size_t);
static void	 human(char *, size_t, double);

void
progress_start(bool on)
{
	pg.on = on;
	pg.shown = false;
	pg.t0 = pg.last = now_ms();
}

void
progress_tick(unsigned long long bytes, size_t done, size_t total)
{
	char line[160], amount[32], rate[32];
	long long now;
	double secs;
	int n;

	if (!pg.on)
		return;
	now = now_ms();
	if (now - pg.t0 < PROGRESS_AFTER_MS || now - pg.last <
	    PROGRESS_EVERY_MS)
		return;
	pg.last = now;
	secs = (double)(now - pg.t0) / 1000.0;
	human(amount, sizeof(amount), (double)bytes);
	human(rate, sizeof(rate), (double)bytes / secs);
	n = snprintf(line, sizeof(line), "\r\033[Krexec: %s, %zu/%zu hosts "
	    "done, %s/s", amount, done, total, rate);
	if (n > 0 && (size_t)n < sizeof(line)) {
		put(line, (size_t)n);
		pg.shown = true;
	}
}

void
progress_clear(void)
{
	if (!pg.shown)
		return;
	put("\r\033[K", 4);
	pg.shown = false;
}

void
progress_end(void)
{
	progress_clear();
	pg.on = false;
}

/* A terminal that cannot take the line loses it: nothing to report. */
static void
put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void
human(char *buf, size_t len, double n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;

	while (n >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, u == 0 ? "%.0f %s" : "%.1f %s", n, unit[u]);
}
