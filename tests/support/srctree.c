/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "srctree.h"

void
test_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < len, "path too long: %s", buf);
}

/* make names this file tests/support/srctree.c from the top of the tree. */
const char *
source_dir(void)
{
	static char dir[PATH_MAX];
	static const char suffix[] = "tests/support/srctree.c";
	const char *env = getenv("REXEC_SRCDIR");
	size_t n = strlen(__FILE__), m = strlen(suffix);
	char rel[PATH_MAX] = ".";

	if (env != NULL)
		test_path(rel, sizeof(rel), "%s", env);
	else if (n > m && strcmp(__FILE__ + n - m, suffix) == 0)
		test_path(rel, sizeof(rel), "%.*s", (int)(n - m), __FILE__);
	cr_assert_not_null(realpath(rel, dir), "source tree %s", rel);
	return dir;
}
