/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy's stream in: a tar stream extracted under the current
 * directory, safely.  Nothing in it may reach outside its top names (no
 * absolute path, no "..", nothing through a symlink: libarchive's
 * SECURE flags, and a check of our own that each entry starts with an
 * expected name); each file is written to a temporary name and renamed
 * when complete; modes are kept, owners never.
 */
#ifndef REXEC_ARCHIVE_UNPACK_H
#define REXEC_ARCHIVE_UNPACK_H

#include <stddef.h>

#define UNPACK_PRESERVE		0x1	/* modification times too */

struct unpack_names {
	char *const	*names;		/* the allowed top names; */
	size_t		 n;		/* 0: any single component */
	const char	*suffix;	/* appended to the top name, or NULL */
};

/* Reads the stream from fd to its end; 0, or -1 with "path: why" (the
 * path made safe to print) in err. */
int	unpack_fd(int fd, const struct unpack_names *, int flags, char *err,
	    size_t errlen);

#endif
