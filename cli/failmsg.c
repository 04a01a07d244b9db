/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failmsg.h"
#include "textsafe.h"

/* What one message formats before it is made safe. */
#define RAW_MAX		1024
#define HOST_SAFE_MAX	TEXTSAFE_SIZE(256)

/*
 * From the environment, as setlocale(LC_CTYPE, "") would choose, but
 * without changing the process's locale (which strtod and the JSON
 * codec must not see).
 */
int
failmsg_flags(void)
{
	static int flags = -1;
	const char *v, *names[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	if (flags != -1)
		return flags;
	flags = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((v = getenv(names[i])) == NULL || v[0] == '\0')
			continue;
		if (strcasestr(v, "UTF-8") != NULL ||
		    strcasestr(v, "utf8") != NULL)
			flags = TEXT_UTF8;
		break;
	}
	return flags;
}

void
failmsg_vreason(char *dst, size_t len, int flags, const char *fmt,
    va_list ap)
{
	char raw[RAW_MAX];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);

	if (n < 0)
		n = 0;
	text_safe(dst, len, raw, (size_t)n < sizeof(raw) ? (size_t)n :
	    sizeof(raw) - 1, flags);
}

size_t
failmsg_line(char *dst, size_t len, int flags, const char *host,
    const char *reason)
{
	char safe[HOST_SAFE_MAX];
	int n;

	if (host != NULL)
		n = snprintf(dst, len, "rexec: %s: %s\n",
		    text_safe_str(safe, sizeof(safe), host, flags), reason);
	else
		n = snprintf(dst, len, "rexec: %s\n", reason);
	if (n < 0)
		return 0;
	/* Cut short, it still ends the line. */
	if ((size_t)n >= len && len > 1) {
		dst[len - 2] = '\n';
		return len - 1;
	}
	return (size_t)n;
}
