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

void
fail_set_host(const char *host)
{
	fail_host = host;
}

int
report(const char *fmt, ...)
{
	char reason[REASON_MAX], line[REASON_MAX + 1200];
	int flags = failmsg_flags();
	va_list ap;

	va_start(ap, fmt);
	failmsg_vreason(reason, sizeof(reason), flags, fmt, ap);
	va_end(ap);
	failmsg_line(line, sizeof(line), flags, fail_host, reason);
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

/* A wrong command line: one line too, pointing at the help. */
int
usage_error(const char *fmt, ...)
{
	char reason[REASON_MAX], line[REASON_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	failmsg_vreason(reason, sizeof(reason), failmsg_flags(), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "rexec: %s (see rexec --help)\n", reason);
	report_line(line);
	return -1;
}
