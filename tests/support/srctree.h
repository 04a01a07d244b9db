/* SPDX-License-Identifier: ISC */
/* Paths for tests: built without truncation, and into the source tree. */
#ifndef REXEC_TEST_SRCTREE_H
#define REXEC_TEST_SRCTREE_H

#include <stddef.h>

/* snprintf that fails the test rather than truncate a path. */
void	 test_path(char *buf, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The source tree: REXEC_SRCDIR, else where make compiled the tests from. */
const char	*source_dir(void);

#endif
