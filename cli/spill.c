/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "spill.h"

static const char	*spill_dir(void);

int
spill_open(void)
{
	const char *dir = spill_dir();
	char path[PATH_MAX];
	int fd;

	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) != -1)
		return fd;
	/* A file system without O_TMPFILE: a name, removed at once. */
	if (snprintf(path, sizeof(path), "%s/rexec.XXXXXX", dir) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	(void)unlink(path);
	return fd;
}

static const char *
spill_dir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir != NULL && dir[0] != '\0' ? dir : "/tmp";
}

int
spill_write(int fd, const void *p, size_t n, off_t off)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, s, n, off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		s += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

ssize_t
spill_read(int fd, void *p, size_t n, off_t off)
{
	ssize_t got;

	while ((got = pread(fd, p, n, off)) == -1 && errno == EINTR)
		;
	return got;
}
