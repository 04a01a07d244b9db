/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "fdio.h"
#include "outdir.h"

static int	 open_one(const char *dir, const char *host, const char *ext,
		    char *why, size_t whylen);

int
outdir_make(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (len >= sizeof(path)) {
		report("cannot create %s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	memcpy(path, dir, len + 1);
	/* Each parent in turn, then DIR itself. */
	for (char *p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, 0777) == -1 && errno != EEXIST) {
			report("cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	else if (stat(dir, &st) == 0)
		return 0;
	report("cannot use %s: %s", dir, strerror(errno));
	return -1;
}

int
outdir_open(const char *dir, const char *host, int fds[3], char *why,
    size_t whylen)
{
	fds[1] = open_one(dir, host, "out", why, whylen);
	fds[2] = fds[1] == -1 ? -1 : open_one(dir, host, "err", why, whylen);
	if (fds[2] == -1) {
		outdir_close(fds);
		return -1;
	}
	return 0;
}

/* O_NOFOLLOW: in a shared directory a planted link must not redirect a
 * host's output into another file. */
static int
open_one(const char *dir, const char *host, const char *ext, char *why,
    size_t whylen)
{
	char path[PATH_MAX], *name;
	int n, fd;

	n = snprintf(path, sizeof(path), "%s/%s.%s", dir, host, ext);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(why, whylen, "cannot create %s/%s.%s: %s", dir, host,
		    ext, strerror(ENAMETOOLONG));
		return -1;
	}
	/* A host name holds no "/": one from a list file might. */
	for (name = path + strlen(dir) + 1; *name != '\0'; name++)
		if (*name == '/')
			*name = '_';
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0666);
	if (fd == -1)
		snprintf(why, whylen, "cannot create %s: %s", path,
		    strerror(errno));
	return fd;
}

int
outdir_write(int fd, const void *p, size_t n)
{
	return write_full(fd, p, n);
}

void
outdir_close(int fds[3])
{
	for (int fd = 1; fd <= 2; fd++) {
		if (fds[fd] != -1)
			close(fds[fd]);
		fds[fd] = -1;
	}
}
