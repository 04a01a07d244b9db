/* SPDX-License-Identifier: ISC */
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive_unpack.h"
#include "textsafe.h"

#define UNPACK_BLOCK		(64 * 1024)

static int	 extract(struct archive *, struct archive *,
		    const struct unpack_names *, char *, size_t);
static int	 check_path(const char *, const struct unpack_names *,
		    char *, size_t);
static bool	 allowed_top(const char *, size_t,
		    const struct unpack_names *);
static int	 rename_top(struct archive_entry *, const char *,
		    const struct unpack_names *);
static int	 copy_data(struct archive *, struct archive *);
static int	 refuse(char *, size_t, const char *, const char *);
static const char *why(struct archive *, char *, size_t);
static int	 write_entry(struct archive *, struct archive *,
		    struct archive_entry *, char *, size_t);
static int	 temp_name(const char *, char *, size_t);

int
unpack_fd(int fd, const struct unpack_names *names, int flags, char *err,
    size_t errlen)
{
	struct archive *in = archive_read_new(), *disk = archive_write_disk_new();
	int opts = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	int r = -1;

	if (flags & UNPACK_PRESERVE)
		opts |= ARCHIVE_EXTRACT_TIME;
	if (in == NULL || disk == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (archive_read_support_format_tar(in) != ARCHIVE_OK ||
	    archive_write_disk_set_options(disk, opts) != ARCHIVE_OK ||
	    archive_read_open_fd(in, fd, UNPACK_BLOCK) != ARCHIVE_OK) {
		refuse(err, errlen, NULL, archive_error_string(in));
		goto out;
	}
	r = extract(in, disk, names, err, errlen);
out:
	if (in != NULL)
		archive_read_free(in);
	if (disk != NULL)
		archive_write_free(disk);
	return r;
}

static int
extract(struct archive *in, struct archive *disk,
    const struct unpack_names *names, char *err, size_t errlen)
{
	struct archive_entry *e;
	const char *path;
	char buf[512];
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		path = archive_entry_pathname(e);
		if (check_path(path, names, err, errlen) == -1)
			return -1;
		if (archive_entry_hardlink(e) != NULL ||
		    (archive_entry_filetype(e) != AE_IFREG &&
		    archive_entry_filetype(e) != AE_IFDIR &&
		    archive_entry_filetype(e) != AE_IFLNK))
			return refuse(err, errlen, path, "not a file, "
			    "directory or symlink");
		if (rename_top(e, path, names) == -1)
			return refuse(err, errlen, NULL, "out of memory");
		if (write_entry(in, disk, e, err, errlen) == -1)
			return -1;
	}
	if (r != ARCHIVE_EOF)
		return refuse(err, errlen, NULL, why(in, buf, sizeof(buf)));
	if (archive_write_close(disk) != ARCHIVE_OK)
		return refuse(err, errlen, NULL, why(disk, buf, sizeof(buf)));
	return 0;
}

/*
 * A file is written under a temporary name in its directory and renamed
 * once complete: no partial file ever has the final name (libarchive's
 * own SAFE_WRITES renames even after a failed write).
 */
static int
write_entry(struct archive *in, struct archive *disk,
    struct archive_entry *e, char *err, size_t errlen)
{
	char final[PATH_MAX], tmp[PATH_MAX], buf[512];
	bool file = archive_entry_filetype(e) == AE_IFREG;

	if (snprintf(final, sizeof(final), "%s", archive_entry_pathname(e)) >=
	    (int)sizeof(final))
		return refuse(err, errlen, final, "name too long");
	if (file) {
		if (temp_name(final, tmp, sizeof(tmp)) == -1)
			return refuse(err, errlen, final, strerror(errno));
		archive_entry_copy_pathname(e, tmp);
	}
	if (archive_write_header(disk, e) != ARCHIVE_OK ||
	    copy_data(in, disk) == -1 ||
	    archive_write_finish_entry(disk) != ARCHIVE_OK) {
		refuse(err, errlen, final, why(disk, buf, sizeof(buf)));
		if (file)
			(void)unlink(tmp);
		return -1;
	}
	if (file && rename(tmp, final) == -1) {
		refuse(err, errlen, final, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* DIR/.rexec-copy.RANDOM beside DIR/NAME. */
static int
temp_name(const char *final, char *tmp, size_t len)
{
	const char *slash = strrchr(final, '/');
	int dirlen = slash != NULL ? (int)(slash - final + 1) : 0;
	unsigned long long r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	if (snprintf(tmp, len, "%.*s.rexec-copy.%016llx", dirlen, final, r) >=
	    (int)len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* libarchive's message, with the system's reason when it has one
 * ("Write failed: No space left on device"). */
static const char *
why(struct archive *a, char *buf, size_t len)
{
	const char *s = archive_error_string(a);
	int e = archive_errno(a);

	if (s == NULL)
		s = "failed";
	if (e <= 0 || strstr(s, strerror(e)) != NULL)
		return s;
	snprintf(buf, len, "%s: %s", s, strerror(e));
	return buf;
}

/* Ours, before libarchive's: relative, no "..", under an expected name. */
static int
check_path(const char *path, const struct unpack_names *names, char *err,
    size_t errlen)
{
	size_t top;
	const char *c;

	if (path == NULL || path[0] == '\0')
		return refuse(err, errlen, NULL, "an entry without a name");
	if (path[0] == '/')
		return refuse(err, errlen, path, "an absolute path");
	for (c = path; *c != '\0'; c += strcspn(c, "/"), c += *c == '/')
		if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
			return refuse(err, errlen, path, "a path with \"..\"");
	top = strcspn(path, "/");
	if (!allowed_top(path, top, names))
		return refuse(err, errlen, path, "outside what was asked for");
	return 0;
}

static bool
allowed_top(const char *path, size_t top, const struct unpack_names *names)
{
	if (top == 1 && path[0] == '.')
		return false;
	if (names->n == 0)
		return true;
	for (size_t i = 0; i < names->n; i++)
		if (strlen(names->names[i]) == top &&
		    memcmp(names->names[i], path, top) == 0)
			return true;
	return false;
}

/* NAME/x becomes NAME.SUFFIX/x, and so do a hard link's and nothing else. */
static int
rename_top(struct archive_entry *e, const char *path,
    const struct unpack_names *names)
{
	size_t top = strcspn(path, "/"), len;
	char *p;

	if (names->suffix == NULL)
		return 0;
	len = strlen(path) + strlen(names->suffix) + 2;
	if ((p = malloc(len)) == NULL)
		return -1;
	snprintf(p, len, "%.*s.%s%s", (int)top, path, names->suffix,
	    path + top);
	archive_entry_copy_pathname(e, p);
	free(p);
	return 0;
}

static int
copy_data(struct archive *in, struct archive *disk)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &len, &off)) ==
	    ARCHIVE_OK)
		if (archive_write_data_block(disk, buf, len, off) !=
		    ARCHIVE_OK)
			return -1;
	if (r != ARCHIVE_EOF) {
		archive_copy_error(disk, in);
		return -1;
	}
	return 0;
}

/* "path: why", the path made safe to print; returns -1. */
static int
refuse(char *err, size_t errlen, const char *path, const char *why)
{
	char safe[TEXTSAFE_SIZE(256)];

	if (why == NULL)
		why = "failed";
	if (path == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	text_safe_str(safe, sizeof(safe), path, TEXT_UTF8);
	snprintf(err, errlen, "%s: %s", safe, why);
	return -1;
}
