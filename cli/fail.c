#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fail.h"

static const char *fail_host;

void
fail_set_host(const char *host)
{
	fail_host = host;
}

/* Peer-supplied text is printed too: control bytes must not break the line. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			*s = ' ';
}

int
report(const char *fmt, ...)
{
	char reason[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	sanitize(reason);
	if (fail_host != NULL)
		fprintf(stderr, "rexec: %s: %s\n", fail_host, reason);
	else
		fprintf(stderr, "rexec: %s\n", reason);
	return EXIT_REXEC_FAILED;
}

/* A wrong command line: one line too, pointing at the help. */
int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("rexec: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see rexec --help)\n", stderr);
	return -1;
}
