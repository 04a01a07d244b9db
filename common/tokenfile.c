/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "tokenfile.h"

static int	check_file(int, char *, size_t);
static size_t	trim_line_end(const char *, size_t);

ssize_t
token_file_read(const char *path, char *tok, char *err, size_t errlen)
{
	/* Room for a CRLF after the longest token, and one byte more. */
	char buf[TOKEN_MAX + 3];
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO must not hang us before it is refused. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (check_file(fd, err, errlen) == -1) {
		close(fd);
		return -1;
	}
	n = read_full(fd, buf, sizeof(buf));
	close(fd);
	if (n == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	n = (ssize_t)trim_line_end(buf, (size_t)n);
	if (n > TOKEN_MAX) {
		snprintf(err, errlen, "longer than %d bytes", TOKEN_MAX);
		return -1;
	}
	if (n == 0 || memchr(buf, '\0', (size_t)n) != NULL) {
		snprintf(err, errlen, "empty or holds a NUL byte");
		return -1;
	}
	memcpy(tok, buf, (size_t)n);
	tok[n] = '\0';
	return n;
}

static int
check_file(int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "owned by uid %u, not by uid %u who "
		    "reads it", (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "permissions %04o are too open: it must "
		    "not be accessible by group or others (chmod 600)",
		    (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static size_t
trim_line_end(const char *buf, size_t n)
{
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	return n;
}
