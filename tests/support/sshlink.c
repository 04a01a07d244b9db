/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexecd_proc.h"
#include "sshlink.h"

static char dir[PATH_MAX];
static char bin[PATH_MAX + 16];

static void
link_as(const char *target, const char *name)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	cr_assert_eq(symlink(target, path), 0, "symlink %s", path);
}

const char *
sshlink_dir(void)
{
	char target[PATH_MAX];

	if (dir[0] != '\0')
		return dir;
	cr_assert_not_null(realpath(rexec_bin(), target), "no %s",
	    rexec_bin());
	snprintf(dir, sizeof(dir), "/tmp/sshcli-links-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp");
	link_as(target, "rexec-ssh");
	link_as(target, "ssh");
	snprintf(bin, sizeof(bin), "%s/rexec-ssh", dir);
	/* Also when a test ends where its suite's .fini is not reached. */
	atexit(sshlink_remove);
	return dir;
}

const char *
rexec_ssh_bin(void)
{
	sshlink_dir();
	return bin;
}

void
sshlink_remove(void)
{
	char path[PATH_MAX + 16];

	if (dir[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/rexec-ssh", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/ssh", dir);
	unlink(path);
	rmdir(dir);
	dir[0] = '\0';
}
