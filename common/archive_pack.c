/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "archive_pack.h"
#include "copyenc.h"
#include "textsafe.h"

/* File contents are read this much at a time. */
#define PACK_READ_CHUNK		(64 * 1024)

enum pack_state { PS_SOURCE, PS_ENTRY, PS_DATA, PS_END, PS_FAILED };

struct pack {
	char *const		*srcs;
	size_t			 nsrcs;
	size_t			 cur;		/* the source being walked */
	size_t			 prefix;	/* its length, '/'s dropped */
	char			 name[256];	/* its last component */
	enum pack_state		 state;
	struct archive		*disk;
	struct archive		*tar;
	struct archive_entry	*entry;
	unsigned char		*out;		/* the stream not yet taken */
	size_t			 outlen, outoff, outcap;
	unsigned char		*chunk;
	unsigned long long	 read_bytes;
	char			 err[1536];
};

static int	 check_sources(char *const *, size_t, char *, size_t);
static int	 open_archives(struct pack *);
static ssize_t	 collect(struct archive *, void *, const void *, size_t);
static int	 step(struct pack *);
static int	 next_source(struct pack *);
static int	 next_entry(struct pack *);
static int	 rename_entry(struct pack *);
static int	 copy_data(struct pack *);
static int	 failed(struct pack *, struct archive *, const char *path);

struct pack *
pack_new(char *const *srcs, size_t n, char *err, size_t errlen)
{
	struct pack *p;

	if (check_sources(srcs, n, err, errlen) == -1)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->chunk = malloc(PACK_READ_CHUNK)) == NULL) {
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->srcs = srcs;
	p->nsrcs = n;
	if (open_archives(p) == -1) {
		snprintf(err, errlen, "%s", p->err);
		pack_free(p);
		return NULL;
	}
	return p;
}

/* Before anything is sent: a missing source fails the whole copy. */
static int
check_sources(char *const *srcs, size_t n, char *err, size_t errlen)
{
	char safe[TEXTSAFE_SIZE(256)], name[256];
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		text_safe_str(safe, sizeof(safe), srcs[i], TEXT_UTF8);
		if (copyenc_name(srcs[i], name, sizeof(name)) == -1) {
			snprintf(err, errlen, "%s: not a file or directory "
			    "name", safe);
			return -1;
		}
		if (lstat(srcs[i], &st) == -1) {
			snprintf(err, errlen, "%s: %s", safe, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
open_archives(struct pack *p)
{
	p->disk = archive_read_disk_new();
	p->tar = archive_write_new();
	p->entry = archive_entry_new();
	if (p->disk == NULL || p->tar == NULL || p->entry == NULL) {
		snprintf(p->err, sizeof(p->err), "out of memory");
		return -1;
	}
	/* Symlinks stay links; owners, ACLs and attributes stay home. */
	if (archive_read_disk_set_symlink_physical(p->disk) != ARCHIVE_OK ||
	    archive_read_disk_set_behavior(p->disk, ARCHIVE_READDISK_NO_XATTR |
	    ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS) !=
	    ARCHIVE_OK ||
	    archive_write_set_format_pax_restricted(p->tar) != ARCHIVE_OK ||
	    archive_write_set_format_option(p->tar, "pax", "hdrcharset",
	    "BINARY") != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(p->tar, 0) != ARCHIVE_OK ||
	    archive_write_open2(p->tar, p, NULL, collect, NULL, NULL) !=
	    ARCHIVE_OK)
		return failed(p, p->tar, NULL);
	return 0;
}

/* libarchive's output lands here until pack_fill hands it out. */
static ssize_t
collect(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct pack *p = arg;

	if (p->outcap - p->outlen < len) {
		size_t cap = p->outlen + len + PACK_READ_CHUNK;
		unsigned char *q = realloc(p->out, cap);
		if (q == NULL) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		p->out = q;
		p->outcap = cap;
	}
	memcpy(p->out + p->outlen, buf, len);
	p->outlen += len;
	return (ssize_t)len;
}

ssize_t
pack_fill(struct pack *p, void *buf, size_t len)
{
	size_t n;

	while (p->outoff == p->outlen) {
		p->outoff = p->outlen = 0;
		if (p->state == PS_END)
			return 0;
		if (p->state == PS_FAILED || step(p) == -1) {
			p->state = PS_FAILED;
			return -1;
		}
	}
	n = p->outlen - p->outoff < len ? p->outlen - p->outoff : len;
	memcpy(buf, p->out + p->outoff, n);
	p->outoff += n;
	return (ssize_t)n;
}

static int
step(struct pack *p)
{
	switch (p->state) {
	case PS_SOURCE:
		return next_source(p);
	case PS_ENTRY:
		return next_entry(p);
	case PS_DATA:
		return copy_data(p);
	default:
		return 0;
	}
}

static int
next_source(struct pack *p)
{
	const char *src;

	if (p->cur == p->nsrcs) {
		if (archive_write_close(p->tar) != ARCHIVE_OK)
			return failed(p, p->tar, NULL);
		p->state = PS_END;
		return 0;
	}
	src = p->srcs[p->cur];
	(void)copyenc_name(src, p->name, sizeof(p->name));
	p->prefix = strlen(src);
	while (p->prefix > 1 && src[p->prefix - 1] == '/')
		p->prefix--;
	if (archive_read_disk_open(p->disk, src) != ARCHIVE_OK)
		return failed(p, p->disk, src);
	p->state = PS_ENTRY;
	return 0;
}

static int
next_entry(struct pack *p)
{
	int r = archive_read_next_header2(p->disk, p->entry);
	mode_t type;

	if (r == ARCHIVE_EOF) {
		archive_read_close(p->disk);
		p->cur++;
		p->state = PS_SOURCE;
		return 0;
	}
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return failed(p, p->disk, archive_entry_pathname(p->entry));
	type = archive_entry_filetype(p->entry);
	if (type == AE_IFDIR)
		archive_read_disk_descend(p->disk);
	/* Devices, fifos and sockets are not copies of anything. */
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return 0;
	if (rename_entry(p) == -1)
		return -1;
	if (archive_write_header(p->tar, p->entry) != ARCHIVE_OK)
		return failed(p, p->tar, archive_entry_pathname(p->entry));
	if (type == AE_IFREG && archive_entry_size(p->entry) > 0)
		p->state = PS_DATA;
	return 0;
}

/* SRC/x goes as NAME/x; owners are the receiver's. */
static int
rename_entry(struct pack *p)
{
	const char *path = archive_entry_pathname(p->entry), *rest;
	char *name;
	size_t len;

	if (path == NULL || strlen(path) < p->prefix)
		return failed(p, NULL, path);
	rest = path + p->prefix;
	while (rest[0] == '/' && rest[1] == '/')
		rest++;
	len = strlen(p->name) + strlen(rest) + 1;
	if ((name = malloc(len)) == NULL)
		return failed(p, NULL, NULL);
	snprintf(name, len, "%s%s", p->name, rest);
	archive_entry_copy_pathname(p->entry, name);
	free(name);
	archive_entry_set_uid(p->entry, 0);
	archive_entry_set_gid(p->entry, 0);
	archive_entry_copy_uname(p->entry, NULL);
	archive_entry_copy_gname(p->entry, NULL);
	return 0;
}

static int
copy_data(struct pack *p)
{
	la_ssize_t n = archive_read_data(p->disk, p->chunk, PACK_READ_CHUNK);

	if (n < 0)
		return failed(p, p->disk, archive_entry_sourcepath(p->entry));
	if (n == 0) {
		p->state = PS_ENTRY;
		return 0;
	}
	p->read_bytes += (unsigned long long)n;
	if (archive_write_data(p->tar, p->chunk, (size_t)n) < 0)
		return failed(p, p->tar, archive_entry_pathname(p->entry));
	return 0;
}

/* "path: why", the path made safe to print. */
static int
failed(struct pack *p, struct archive *a, const char *path)
{
	char safe[TEXTSAFE_SIZE(256)];
	const char *why = a != NULL && archive_error_string(a) != NULL ?
	    archive_error_string(a) : "out of memory";
	int e = a != NULL ? archive_errno(a) : 0;
	char sys[128] = "";

	/* The system's reason, when libarchive's message lacks it. */
	if (e > 0 && strstr(why, strerror(e)) == NULL)
		snprintf(sys, sizeof(sys), ": %s", strerror(e));
	if (path == NULL) {
		snprintf(p->err, sizeof(p->err), "%s%s", why, sys);
	} else {
		text_safe_str(safe, sizeof(safe), path, TEXT_UTF8);
		snprintf(p->err, sizeof(p->err), "%s: %s%s", safe, why, sys);
	}
	p->state = PS_FAILED;
	return -1;
}

const char *
pack_error(const struct pack *p)
{
	return p->err;
}

unsigned long long
pack_read_bytes(const struct pack *p)
{
	return p->read_bytes;
}

void
pack_free(struct pack *p)
{
	if (p == NULL)
		return;
	if (p->disk != NULL)
		archive_read_free(p->disk);
	if (p->tar != NULL)
		archive_write_free(p->tar);
	if (p->entry != NULL)
		archive_entry_free(p->entry);
	free(p->out);
	free(p->chunk);
	free(p);
}
