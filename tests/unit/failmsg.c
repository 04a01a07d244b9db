/* SPDX-License-Identifier: ISC */
/* rexec's error line: one line whatever a server or a host list sent,
 * no control character (C0, DEL, C1) left raw. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "failmsg.h"
#include "textsafe.h"

static void
reason(char *dst, size_t len, int flags, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	failmsg_vreason(dst, len, flags, fmt, ap);
	va_end(ap);
}

Test(failmsg, server_message_with_c0_and_c1)
{
	/* What a hostile server puts in an error frame's message. */
	const char msg[] = "no\nrexec: h2: ok\r\033[2K\xc2\x9b" "1A\x9b" "2J\x7f";
	char r[256], line[512];

	reason(r, sizeof(r), 0, "%s: %s", "bad_request", msg);
	cr_assert_str_eq(r, "bad_request: no\\nrexec: h2: ok\\r\\033[2K"
	    "\\302\\2331A\\2332J\\177");
	cr_assert_eq(failmsg_line(line, sizeof(line), 0, "h1", r),
	    strlen(line));
	cr_assert_str_eq(line, "rexec: h1: bad_request: no\\nrexec: h2: ok"
	    "\\r\\033[2K\\302\\2331A\\2332J\\177\n");
	/* In a UTF-8 locale the C1 controls are escaped all the same. */
	reason(r, sizeof(r), TEXT_UTF8, "%s", msg);
	cr_assert_str_eq(r, "no\\nrexec: h2: ok\\r\\033[2K\\302\\2331A\\2332J"
	    "\\177");
}

Test(failmsg, host_name_from_a_list_is_escaped)
{
	char line[512];

	failmsg_line(line, sizeof(line), TEXT_UTF8, "h\033]0;x\a\xc2\x9b\xc3\xa9",
	    "cannot connect");
	cr_assert_str_eq(line,
	    "rexec: h\\033]0;x\\a\\302\\233\xc3\xa9: cannot connect\n");
	failmsg_line(line, sizeof(line), 0, NULL, "out of memory");
	cr_assert_str_eq(line, "rexec: out of memory\n");
}

Test(failmsg, long_lines_stay_one_line)
{
	char big[2000], r[256], line[64];

	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	reason(r, sizeof(r), 0, "%s", big);
	cr_assert_null(strchr(r, '\n'));
	cr_assert(strlen(r) < sizeof(r));
	cr_assert_str_eq(r + strlen(r) - 3, "...");
	cr_assert_eq(failmsg_line(line, sizeof(line), 0, "h", r),
	    sizeof(line) - 1);
	cr_assert_eq(strchr(line, '\n'), line + sizeof(line) - 2);
}

Test(failmsg, locale_decides_utf8)
{
	setenv("LC_ALL", "", 1);
	setenv("LC_CTYPE", "", 1);
	setenv("LANG", "en_US.UTF-8", 1);
	cr_assert_eq(failmsg_flags(), TEXT_UTF8);
}
