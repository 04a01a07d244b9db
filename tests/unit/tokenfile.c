/* SPDX-License-Identifier: ISC */
/* One token-file reader for rexec and rexecd: what it accepts and refuses. */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tokenfile.h"

static char dir[] = "/tmp/rexec-tokenfile-XXXXXX";
static char path[PATH_MAX];

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

TestSuite(tokenfile, .init = setup, .fini = teardown);

static void
put(const char *content, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
refused(const char *why)
{
	char tok[TOKEN_MAX + 1], err[256];

	cr_assert_eq(token_file_read(path, tok, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, why), "%s", err);
}

Test(tokenfile, line_end_trimmed)
{
	char tok[TOKEN_MAX + 1], err[256];

	put("s3cret\r\n", 8, 0600);
	cr_assert_eq(token_file_read(path, tok, err, sizeof(err)), 6);
	cr_assert_str_eq(tok, "s3cret");
	put(" a b \n", 6, 0400);
	cr_assert_eq(token_file_read(path, tok, err, sizeof(err)), 5);
	cr_assert_str_eq(tok, " a b ");
}

Test(tokenfile, longest_token_and_one_more)
{
	char tok[TOKEN_MAX + 1], err[256];
	static char big[TOKEN_MAX + 3];

	memset(big, 'x', sizeof(big));
	big[TOKEN_MAX] = '\r';
	big[TOKEN_MAX + 1] = '\n';
	put(big, TOKEN_MAX + 2, 0600);
	cr_assert_eq(token_file_read(path, tok, err, sizeof(err)), TOKEN_MAX);
	put(big, TOKEN_MAX + 1, 0600);
	cr_assert_eq(token_file_read(path, tok, err, sizeof(err)), TOKEN_MAX);
	memset(big, 'x', sizeof(big));
	put(big, TOKEN_MAX + 1, 0600);
	refused("longer than 4096 bytes");
}

Test(tokenfile, refusals)
{
	char link[PATH_MAX + 8];

	put("s\n", 2, 0640);
	refused("permissions 0640 are too open");
	put("s\n", 2, 0604);
	refused("chmod 600");
	put("\n", 1, 0600);
	refused("empty");
	put("a\0b", 3, 0600);
	refused("NUL");
	put("s", 1, 0600);
	snprintf(link, sizeof(link), "%s.link", path);
	cr_assert_eq(symlink(path, link), 0);
	{
		char tok[TOKEN_MAX + 1], err[256];

		cr_assert_eq(token_file_read(link, tok, err, sizeof(err)), -1,
		    "a symlink is not followed");
		unlink(link);
	}
	unlink(path);
	cr_assert_eq(mkfifo(path, 0600), 0);
	refused("not a regular file");
	unlink(path);
	refused("No such file");
}
