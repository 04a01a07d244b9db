/* SPDX-License-Identifier: ISC */
/*
 * make systemd-test's first check (tests/systemd/nspawn_check.sh): where
 * systemd-nspawn cannot boot (a chroot, an unprivileged container, no
 * cgroup hierarchy) it fails at once, saying why and what to do, instead
 * of timing out waiting for init (issue 19).  Run over fake /proc and
 * /sys/fs/cgroup trees: no root, no container needed.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "srctree.h"

static char tmp[] = "/tmp/rexec-nspawncheck.XXXXXX";
static char proc[PATH_MAX], root[PATH_MAX];

/* A /proc with what the check reads: self/uid_map and 1/root. */
static void
fake_proc(const char *uid_map, const char *init_root)
{
	char path[PATH_MAX];
	FILE *f;

	test_path(path, sizeof(path), "%s/self", proc);
	cr_assert_eq(mkdir(path, 0700), 0);
	test_path(path, sizeof(path), "%s/1", proc);
	cr_assert_eq(mkdir(path, 0700), 0);
	test_path(path, sizeof(path), "%s/1/root", proc);
	cr_assert_eq(symlink(init_root, path), 0);
	test_path(path, sizeof(path), "%s/self/uid_map", proc);
	cr_assert_not_null(f = fopen(path, "w"));
	fprintf(f, "%s\n", uid_map);
	cr_assert_eq(fclose(f), 0);
}

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(tmp));
	test_path(proc, sizeof(proc), "%s/proc", tmp);
	test_path(root, sizeof(root), "%s/root", tmp);
	cr_assert_eq(mkdir(proc, 0700), 0);
	cr_assert_eq(mkdir(root, 0700), 0);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 16];

	test_path(cmd, sizeof(cmd), "rm -rf %s", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(nspawn_check, .init = setup, .fini = teardown, .timeout = 60);

/* nspawn_blocker ROOT PROC CGROUP: its exit status, its output in out. */
static int
check(const char *cgroup, char *out, size_t size)
{
	char cmd[4 * PATH_MAX];
	size_t n;
	FILE *p;
	int status;

	test_path(cmd, sizeof(cmd), ". '%s/tests/systemd/nspawn_check.sh' && "
	    "nspawn_blocker '%s' '%s' '%s'", source_dir(), root, proc, cgroup);
	cr_assert_not_null(p = popen(cmd, "r"));
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	status = pclose(p);
	cr_assert(WIFEXITED(status), "%s", cmd);
	return WEXITSTATUS(status);
}

static void
expect_blocked(const char *cgroup, const char *why)
{
	char out[4096];

	cr_assert_eq(check(cgroup, out, sizeof(out)), 1, "not blocked: '%s'",
	    out);
	cr_assert_not_null(strstr(out, why), "'%s' without '%s'", out, why);
	/* And what to do about it. */
	cr_assert_not_null(strstr(out, "run make systemd-test as root on a "
	    "host or in a VM"), "%s", out);
}

Test(nspawn_check, no_cgroup_hierarchy)
{
	char cg[PATH_MAX], why[PATH_MAX + 64];

	fake_proc("0 0 4294967295", root);
	test_path(cg, sizeof(cg), "%s/sys/fs/cgroup", tmp);
	test_path(why, sizeof(why), "no %s: systemd-nspawn cannot determine "
	    "whether the unified cgroups hierarchy is used", cg);
	expect_blocked(cg, why);
}

/* A plain directory: a tmpfs without unified/ or systemd/, or another
 * file system, whichever /tmp is here. */
Test(nspawn_check, not_a_cgroup_file_system)
{
	char cg[PATH_MAX];

	fake_proc("0 0 4294967295", root);
	test_path(cg, sizeof(cg), "%s/cgroup", tmp);
	cr_assert_eq(mkdir(cg, 0700), 0);
	expect_blocked(cg, cg);
}

Test(nspawn_check, unprivileged_container)
{
	fake_proc("0 100000 65536", root);
	expect_blocked("/sys/fs/cgroup", "in a user namespace (an "
	    "unprivileged container)");
}

Test(nspawn_check, chroot)
{
	fake_proc("0 0 4294967295", "/");
	expect_blocked("/sys/fs/cgroup", "inside a chroot");
}

Test(nspawn_check, proc_not_mounted)
{
	expect_blocked("/sys/fs/cgroup", "proc not mounted");
}

/* This host's own cgroups, when they are ones nspawn boots on. */
Test(nspawn_check, passes_where_nothing_blocks)
{
	char out[4096];
	struct stat st;

	if (access("/sys/fs/cgroup/cgroup.controllers", W_OK) != 0 &&
	    (stat("/sys/fs/cgroup/unified", &st) != 0 ||
	    access("/sys/fs/cgroup/systemd", W_OK) != 0))
		cr_skip_test("no writable cgroup2 or hybrid hierarchy here");
	fake_proc("0 0 4294967295", root);
	cr_assert_eq(check("/sys/fs/cgroup", out, sizeof(out)), 0, "%s",
	    out);
	cr_assert_str_eq(out, "");
}
