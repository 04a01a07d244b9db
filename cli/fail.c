/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"
#include "progress.h"
#include "failmsg.h"
#include "terminal.h"

#define REASON_MAX	1024

static const char *fail_host;
static const char *usage_hint = "rexec --help";

void
fail_set_host(const char *host)
{
	fail_host = host;
}

static int	vreport(const char *host, const char *fmt, va_list ap)
		    __attribute__((format(printf, 2, 0)));

int
report(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreport(fail_host, fmt, ap);
	va_end(ap);
	return r;
}

int
report_nohost(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreport(NULL, fmt, ap);
	va_end(ap);
	return r;
}

static int
vreport(const char *host, const char *fmt, va_list ap)
{
	char reason[REASON_MAX], line[REASON_MAX + 1200];
	int flags = failmsg_flags();

	failmsg_vreason(reason, sizeof(reason), flags, fmt, ap);
	failmsg_line(line, sizeof(line), flags, host, reason);
	report_line(line);
	return EXIT_REXEC_FAILED;
}

void
report_line(const char *line)
{
	/* The line must reach a terminal in its normal mode. */
	term_restore();
	progress_clear();
	fputs(line, stderr);
}

void
fail_set_usage_hint(const char *hint)
{
	usage_hint = hint;
}

/* A wrong command line: one line too, pointing at the help. */
int
usage_error(const char *fmt, ...)
{
	char reason[REASON_MAX], line[REASON_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	failmsg_vreason(reason, sizeof(reason), failmsg_flags(), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "rexec: %s (see %s)\n", reason,
	    usage_hint);
	report_line(line);
	return -1;
}
