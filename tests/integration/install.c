/* SPDX-License-Identifier: ISC */
/*
 * What "make install" puts where, what "make uninstall" takes back, the
 * installed units as systemd reads them, and rexecd.conf.example as
 * rexecd reads it.
 *
 * The make runs here build into their own BUILD directory under the
 * test's temp dir: the binaries the other tests are running are never
 * rebuilt under them (a different sysconfdir rebuilds the daemon), and
 * the outer make's MAKEFLAGS (jobserver, BUILD=build-asan SAN=1) are
 * dropped so the inner make is a plain, independent one.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "srctree.h"

#define MAKE_TIMEOUT_MS	150000
#define FILES_MAX	64
#define KEYS_MAX	64
/* systemd-analyze security of the installed unit with the confined
 * drop-in must stay at most this (2.6 when written).  The default unit,
 * like sshd.service, confines nothing: its commands administer. */
#define EXPOSURE_MAX	2.6

static const char *const manpages[] = {
	"man/rexec.1", "man/rexec-ssh.1", "man/rexecd.8", "man/rexecd.conf.5",
	"man/rexec-protocol.7",
};

static char tmp[PATH_MAX];

static void
setup(void)
{
	test_path(tmp, sizeof(tmp), "/tmp/rexec-install.XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

static void
teardown(void)
{
	if (tmp[0] != '\0' && getenv("REXEC_TEST_KEEP") == NULL)
		nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(install, .init = setup, .fini = teardown, .timeout = 240);
TestSuite(conf_example, .timeout = 60);

static char *
src_path(char *buf, size_t len, const char *rel)
{
	test_path(buf, len, "%s/%s", source_dir(), rel);
	return buf;
}

static bool
src_has(const char *rel)
{
	char path[PATH_MAX];

	return access(src_path(path, sizeof(path), rel), F_OK) == 0;
}

static bool
have(const char *program)
{
	char cmd[128];

	test_path(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", program);
	return system(cmd) == 0;
}

/* Runs argv through sh (for the PATH lookup) with env added; stdout and
 * stderr in r.  Bounded: the test fails after timeout_ms. */
static int
run(struct rexec_run *r, const char *const *env, int timeout_ms,
    const char *script, const char *const *argv)
{
	const char *full[64] = { "/bin/sh", "-c", script, "sh" };
	struct rexec_opts o = { .env = env, .timeout_ms = timeout_ms };
	size_t n = 4;

	for (; *argv != NULL && n < 63; argv++)
		full[n++] = *argv;
	full[n] = NULL;
	rexec_spawn(r, &o, full);
	return rexec_wait(r);
}

/* make -C SRC BUILD=TMP/build VAR=VALUE... TARGET; fails the test unless
 * it succeeds. */
static void
make(const char *const *args)
{
	static const char script[] = "unset MAKEFLAGS MFLAGS GNUMAKEFLAGS "
	    "MAKELEVEL MAKEOVERRIDES; exec make -s -j2 \"$@\"";
	const char *argv[32], *target = NULL;
	char build[PATH_MAX + 16];
	struct rexec_run r;
	size_t n = 0;

	test_path(build, sizeof(build), "BUILD=%s/build", tmp);
	argv[n++] = "-C";
	argv[n++] = source_dir();
	argv[n++] = build;
	argv[n++] = "SAN=0";
	for (; *args != NULL && n < 31; args++)
		argv[n++] = target = *args;
	argv[n] = NULL;
	run(&r, NULL, MAKE_TIMEOUT_MS, script, argv);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "make %s failed:\n%s%s", target, r.out, r.err);
	rexec_run_free(&r);
}

/* Where the Makefile puts units, sysusers.d files and completions with
 * PREFIX=/usr: what the pkg-config file of pkg says, else under PREFIX. */
static void
pc_dir(char *buf, size_t len, const char *pkg, const char *var,
    const char *fallback)
{
	const char *pc = getenv("PKG_CONFIG");
	char cmd[256];
	FILE *p;

	test_path(cmd, sizeof(cmd), "%s --variable=%s %s 2>/dev/null",
	    pc != NULL ? pc : "pkg-config", var, pkg);
	buf[0] = '\0';
	if ((p = popen(cmd, "r")) != NULL) {
		if (fgets(buf, (int)len, p) == NULL)
			buf[0] = '\0';
		pclose(p);
	}
	buf[strcspn(buf, "\n")] = '\0';
	if (buf[0] == '\0')
		test_path(buf, len, "%s", fallback);
}

static void
systemd_dir(char *buf, size_t len, const char *var, const char *fallback)
{
	pc_dir(buf, len, "systemd", var, fallback);
}

/* The files under root as sorted "MODE /path" lines, one string. */
static char	 *listing[FILES_MAX];
static size_t	  nlisting;
static size_t	  root_len;

static int
list_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)ftw;
	if (flag == FTW_D || flag == FTW_DP)
		return 0;
	cr_assert_lt(nlisting, FILES_MAX);
	cr_assert_neq(asprintf(&listing[nlisting++], "%04o %s",
	    (unsigned)(st->st_mode & 07777), path + root_len), -1);
	return 0;
}

static int
by_path(const void *a, const void *b)
{
	return strcmp(strchr(*(char *const *)a, ' '),
	    strchr(*(char *const *)b, ' '));
}

/* The n lines sorted by path and joined with newlines; malloc'd. */
static char *
joined(char **lines, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	qsort(lines, n, sizeof(*lines), by_path);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	return buf;
}

static char *
files_under(const char *root)
{
	char *s;

	nlisting = 0;
	root_len = strlen(root);
	cr_assert_eq(nftw(root, list_entry, 16, FTW_PHYS), 0);
	s = joined(listing, nlisting);
	for (size_t i = 0; i < nlisting; i++)
		free(listing[i]);
	return s;
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

static char *
slurp(const char *path)
{
	char *s = read_file_all(path, NULL);

	cr_assert_not_null(s, "cannot read %s", path);
	return s;
}

/* s with every "@sbindir@" replaced by sbindir; malloc'd. */
static char *
substituted(const char *s, const char *sbindir)
{
	static const char var[] = "@sbindir@";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *p;

	cr_assert_not_null(f);
	while ((p = strstr(s, var)) != NULL) {
		fwrite(s, 1, (size_t)(p - s), f);
		fputs(sbindir, f);
		s = p + strlen(var);
	}
	fputs(s, f);
	fclose(f);
	return buf;
}

static void
assert_same_file(const char *installed, const char *rel)
{
	char src[PATH_MAX];

	cr_assert(files_equal(installed, src_path(src, sizeof(src), rel)),
	    "%s differs from %s", installed, rel);
}

/* The installed unit is the source one with the real sbindir. */
static void
assert_unit_substituted(const char *unit, const char *sbindir)
{
	char src[PATH_MAX], want_line[PATH_MAX + 32];
	char *have_text = slurp(unit);
	char *raw = slurp(src_path(src, sizeof(src),
	    "systemd/rexecd.service"));
	char *want = substituted(raw, sbindir);

	test_path(want_line, sizeof(want_line),
	    "\nExecStart=%s/rexecd -u rexec\n", sbindir);
	cr_assert_not_null(strstr(have_text, want_line), "%s", have_text);
	cr_assert_null(strstr(have_text, "@sbindir@"));
	cr_assert_str_eq(have_text, want);
	free(have_text);
	free(raw);
	free(want);
}

/* "MODE /path" lines of what make install PREFIX=/usr puts in DESTDIR,
 * plus the administrator's rexecd.conf there before. */
static char *
expected_files(void)
{
	char unitdir[PATH_MAX], usersdir[PATH_MAX], *lines[FILES_MAX], *s;
	char compdir[PATH_MAX], tmpfdir[PATH_MAX];
	size_t n = 0;

	systemd_dir(unitdir, sizeof(unitdir), "systemdsystemunitdir",
	    "/usr/lib/systemd/system");
	systemd_dir(usersdir, sizeof(usersdir), "sysusersdir",
	    "/usr/lib/sysusers.d");
	lines[n++] = strdup("0755 /usr/bin/rexec");
	lines[n++] = strdup("0777 /usr/bin/rexec-ssh");
	lines[n++] = strdup("0755 /usr/sbin/rexecd");
	lines[n++] = strdup("0755 /usr/lib/rexec/rexec-copy");
	lines[n++] = strdup("0600 /etc/rexecd.conf");
	lines[n++] = strdup("0644 /etc/rexecd.conf.example");
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexecd.service",
	    unitdir), -1);
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexecd.socket",
	    unitdir), -1);
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexecd.conf", usersdir),
	    -1);
	systemd_dir(tmpfdir, sizeof(tmpfdir), "tmpfilesdir",
	    "/usr/lib/tmpfiles.d");
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexecd.conf", tmpfdir),
	    -1);
	lines[n++] = strdup("0644 /usr/share/doc/rexecd/examples/"
	    "confined.conf");
	pc_dir(compdir, sizeof(compdir), "bash-completion", "completionsdir",
	    "/usr/share/bash-completion/completions");
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexec", compdir), -1);
	cr_assert_neq(asprintf(&lines[n++], "0644 %s/rexecd", compdir), -1);
	/* Installed when present; the other helper's pages will be. */
	for (size_t i = 0; i < sizeof(manpages) / sizeof(manpages[0]); i++)
		if (src_has(manpages[i]))
			cr_assert_neq(asprintf(&lines[n++],
			    "0644 /usr/share/man/man%s/%s",
			    strrchr(manpages[i], '.') + 1,
			    strrchr(manpages[i], '/') + 1), -1);
	s = joined(lines, n);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	return s;
}

static void
assert_daemon_config_path(const char *rexecd, const char *want)
{
	const char *argv[] = { rexecd, "-h", NULL };
	struct rexec_run r;

	run(&r, NULL, 10000, "exec \"$@\"", argv);
	cr_assert_not_null(strstr(r.out, want), "%s", r.out);
	rexec_run_free(&r);
}

Test(install, installs_and_uninstalls_exactly_its_files)
{
	char root[PATH_MAX], destdir[PATH_MAX + 16], path[PATH_MAX + 64];
	char unitdir[PATH_MAX], unit[PATH_MAX + 32];
	const char *install[] = { destdir, "PREFIX=/usr", "install", NULL };
	const char *uninstall[] = { destdir, "PREFIX=/usr", "uninstall",
	    NULL };
	char *have_files, *want_files, *left;

	test_path(root, sizeof(root), "%s/root", tmp);
	test_path(destdir, sizeof(destdir), "DESTDIR=%s", root);
	/* The administrator's configuration, which no install touches. */
	test_path(path, sizeof(path), "%s/etc", root);
	cr_assert(mkdir(root, 0755) == 0 && mkdir(path, 0755) == 0);
	test_path(path, sizeof(path), "%s/etc/rexecd.conf", root);
	write_text(path, "workers = 7\n", 0600);

	make(install);
	have_files = files_under(root);
	want_files = expected_files();
	cr_assert_str_eq(have_files, want_files);
	free(have_files);
	free(want_files);

	systemd_dir(unitdir, sizeof(unitdir), "systemdsystemunitdir",
	    "/usr/lib/systemd/system");
	test_path(unit, sizeof(unit), "%s%s/rexecd.service", root, unitdir);
	assert_unit_substituted(unit, "/usr/sbin");
	test_path(unit, sizeof(unit), "%s%s/rexecd.socket", root, unitdir);
	assert_same_file(unit, "systemd/rexecd.socket");
	test_path(path, sizeof(path), "%s/etc/rexecd.conf.example", root);
	assert_same_file(path, "rexecd.conf.example");
	test_path(path, sizeof(path), "%s/etc/rexecd.conf", root);
	left = slurp(path);
	cr_assert_str_eq(left, "workers = 7\n");
	free(left);
	/* Built for PREFIX=/usr: it reads /etc/rexecd.conf by default. */
	test_path(path, sizeof(path), "%s/usr/sbin/rexecd", root);
	assert_daemon_config_path(path, "(default /etc/rexecd.conf)");

	/* Directories stay (shared ones: bin, man1...), and so does the
	 * administrator's file; nothing else. */
	make(uninstall);
	left = files_under(root);
	cr_assert_str_eq(left, "0600 /etc/rexecd.conf\n");
	free(left);
}

/* The exit status and everything printed of argv, run with env. */
static int
output_of(const char *const *env, const char *const *argv, char **out)
{
	struct rexec_run r;
	int st;

	run(&r, env, 60000, "exec \"$@\" 2>&1", argv);
	st = r.status;
	*out = r.out;
	r.out = NULL;
	rexec_run_free(&r);
	return st;
}

static void
assert_verify_clean(const char *prefix, const char *unitdir)
{
	char service[PATH_MAX + 32], socket[PATH_MAX + 32];
	char manpath[PATH_MAX + 32], *out;
	const char *env[] = { manpath, NULL };
	const char *argv[] = { "systemd-analyze", "verify", service, socket,
	    NULL, NULL };
	int st;

	test_path(service, sizeof(service), "%s/rexecd.service", unitdir);
	test_path(socket, sizeof(socket), "%s/rexecd.socket", unitdir);
	/* Documentation= is checked with man(1), on the installed pages. */
	test_path(manpath, sizeof(manpath), "MANPATH=%s/share/man", prefix);
	if (!have("man") || !src_has("man/rexecd.8") ||
	    !src_has("man/rexecd.conf.5"))
		argv[4] = "--man=no";
	st = output_of(env, argv, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	cr_assert_str_eq(out, "", "systemd-analyze verify:\n%s", out);
	free(out);
}

/* systemd-analyze security --offline of the unit in unitdir (with the
 * drop-ins beside it); -1 before systemd 250 (no offline analysis). */
static double
exposure(const char *unitdir)
{
	static const char needle[] = "Overall exposure level for "
	    "rexecd.service: ";
	char service[PATH_MAX + 32], *out, *p;
	const char *argv[] = { "systemd-analyze", "security",
	    "--offline=true", service, NULL };
	double score = -1;
	int st;

	test_path(service, sizeof(service), "%s/rexecd.service", unitdir);
	st = output_of(NULL, argv, &out);
	if (WIFEXITED(st) && (p = strstr(out, needle)) != NULL)
		score = strtod(p + strlen(needle), NULL);
	free(out);
	return score;
}

/* The default unit confines nothing (it would confine the commands);
 * with the shipped confined.conf as a drop-in, the exposure is low. */
static void
assert_exposure(const char *unitdir, const char *prefix)
{
	char dropdir[PATH_MAX + 32], from[PATH_MAX + 64], to[PATH_MAX + 64];
	char *text;
	double plain = exposure(unitdir), confined;
	FILE *f;

	if (plain < 0)
		return;	/* before systemd 250: no offline analysis */
	test_path(dropdir, sizeof(dropdir), "%s/rexecd.service.d", unitdir);
	cr_assert_eq(mkdir(dropdir, 0755), 0);
	test_path(from, sizeof(from), "%s/share/doc/rexecd/examples/"
	    "confined.conf", prefix);
	test_path(to, sizeof(to), "%s/confined.conf", dropdir);
	text = slurp(from);
	cr_assert_not_null(f = fopen(to, "w"));
	fputs(text, f);
	fclose(f);
	free(text);
	confined = exposure(unitdir);
	cr_log_info("exposure: %.1f, with confined.conf %.1f", plain, confined);
	cr_assert_leq(confined, EXPOSURE_MAX, "confined: %.1f", confined);
	cr_assert_lt(confined, plain);
	unlink(to);
	rmdir(dropdir);
}

/* systemd-sysusers creates the commands' account rexec (home
 * /var/lib/rexec, which tmpfiles.d makes theirs) and the workers'
 * rexecd (no home, no shell); the unit names rexec with -u. */
static void
assert_accounts(const char *usersdir, const char *tmpfdir,
    const char *unitdir)
{
	char conf[PATH_MAX + 32], unit[PATH_MAX + 32], sysroot[PATH_MAX];
	char rootarg[PATH_MAX + 16], path[PATH_MAX + 16];
	const char *argv[] = { "systemd-sysusers", rootarg, conf, NULL };
	char *out, *text;
	int st;

	test_path(conf, sizeof(conf), "%s/rexecd.conf", usersdir);
	test_path(unit, sizeof(unit), "%s/rexecd.service", unitdir);
	test_path(sysroot, sizeof(sysroot), "%s/sysroot", tmp);
	test_path(path, sizeof(path), "%s/etc", sysroot);
	cr_assert(mkdir(sysroot, 0755) == 0 && mkdir(path, 0755) == 0);
	test_path(rootarg, sizeof(rootarg), "--root=%s", sysroot);
	st = output_of(NULL, argv, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	free(out);
	test_path(path, sizeof(path), "%s/etc/passwd", sysroot);
	out = slurp(path);
	cr_assert(strncmp(out, "rexec:", 6) == 0 &&
	    strstr(out, ":/var/lib/rexec:/bin/sh\n") != NULL, "%s", out);
	cr_assert_not_null(strstr(out, "\nrexecd:"), "%s", out);
	cr_assert_not_null(strstr(out, ":/nonexistent:/usr/sbin/nologin\n"),
	    "%s", out);
	free(out);
	test_path(path, sizeof(path), "%s/rexecd.conf", tmpfdir);
	out = slurp(path);
	cr_assert_not_null(strstr(out, "\nd     /var/lib/rexec 0750 rexec "
	    "rexec -\n"), "%s", out);
	free(out);
	text = slurp(unit);
	cr_assert_null(strstr(text, "\nUser="), "the master must be root");
	cr_assert_not_null(strstr(text, "/rexecd -u rexec\n"));
	free(text);
}

/* Installed for real under a scratch PREFIX, so ExecStart= exists. */
Test(install, installed_units_load_cleanly)
{
	char prefix[PATH_MAX], unitdir[PATH_MAX + 32], usersdir[PATH_MAX + 32];
	char prefix_arg[PATH_MAX + 16], unitdir_arg[PATH_MAX + 48];
	char usersdir_arg[PATH_MAX + 48], sbindir[PATH_MAX + 16];
	char unit[PATH_MAX + 64], tmpfdir[PATH_MAX + 32];
	char tmpfdir_arg[PATH_MAX + 48];
	const char *install[] = { prefix_arg, unitdir_arg, usersdir_arg,
	    tmpfdir_arg, "install", NULL };

	if (!have("systemd-analyze") || !have("systemd-sysusers"))
		cr_skip_test("needs systemd-analyze and systemd-sysusers");
	test_path(prefix, sizeof(prefix), "%s/prefix", tmp);
	test_path(unitdir, sizeof(unitdir), "%s/lib/systemd/system", prefix);
	test_path(usersdir, sizeof(usersdir), "%s/lib/sysusers.d", prefix);
	test_path(prefix_arg, sizeof(prefix_arg), "PREFIX=%s", prefix);
	test_path(unitdir_arg, sizeof(unitdir_arg), "systemdunitdir=%s",
	    unitdir);
	test_path(usersdir_arg, sizeof(usersdir_arg), "sysusersdir=%s",
	    usersdir);
	test_path(tmpfdir, sizeof(tmpfdir), "%s/lib/tmpfiles.d", prefix);
	test_path(tmpfdir_arg, sizeof(tmpfdir_arg), "tmpfilesdir=%s",
	    tmpfdir);
	make(install);
	test_path(sbindir, sizeof(sbindir), "%s/sbin", prefix);
	test_path(unit, sizeof(unit), "%s/rexecd.service", unitdir);
	assert_unit_substituted(unit, sbindir);
	assert_verify_clean(prefix, unitdir);
	assert_exposure(unitdir, prefix);
	assert_accounts(usersdir, tmpfdir, unitdir);
}

/*
 * rexecd.conf.example: "# key = value" lines are settings, other
 * comment lines prose.
 */
static bool
setting(const char *line, char *key, size_t keylen)
{
	size_t n;

	if (strncmp(line, "# ", 2) != 0)
		return false;
	line += 2;
	n = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
	if (n == 0 || n >= keylen || strncmp(line + n, " =", 2) != 0 ||
	    (line[n + 2] != '\n' && line[n + 2] != ' '))
		return false;
	test_path(key, keylen, "%.*s", (int)n, line);
	return true;
}

/* The example's keys, and the example with them uncommented in path. */
static size_t
example_keys(char keys[][32], const char *uncommented_path)
{
	char src[PATH_MAX], line[1024];
	FILE *in = fopen(src_path(src, sizeof(src), "rexecd.conf.example"),
	    "r"), *out = fopen(uncommented_path, "w");
	size_t n = 0;

	cr_assert(in != NULL && out != NULL);
	while (fgets(line, sizeof(line), in) != NULL) {
		if (!setting(line, keys[n], sizeof(keys[n]))) {
			fputs(line, out);
			continue;
		}
		cr_assert_lt(++n, KEYS_MAX);
		fputs(line + 2, out);
	}
	fclose(in);
	fclose(out);
	return n;
}

/* The names of the daemon's keys[] table in daemon/config.c. */
static size_t
daemon_keys(char keys[][32])
{
	char src[PATH_MAX], *text, *p, *end;
	size_t n = 0;

	text = slurp(src_path(src, sizeof(src), "daemon/config.c"));
	cr_assert_not_null(p = strstr(text, " keys[] = {"));
	cr_assert_not_null(end = strstr(p, "\n};"));
	while ((p = strstr(p, "{ \"")) != NULL && p < end) {
		p += 3;
		cr_assert_lt(n, KEYS_MAX);
		test_path(keys[n++], sizeof(keys[0]), "%.*s",
		    (int)strcspn(p, "\""), p);
	}
	free(text);
	return n;
}

static int
check_conf(const char *path, char **out)
{
	const char *args[] = { "-t", "-f", path, NULL };

	return rexecd_once(args, out);
}

/* rexecd -t accepts path silently; a temporary path is removed first. */
static void
assert_accepted(const char *path, bool temporary)
{
	char *out;
	int st = check_conf(path, &out);

	if (temporary)
		unlink(path);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: %s", path, out);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(conf_example, parses_as_shipped)
{
	char src[PATH_MAX];

	assert_accepted(src_path(src, sizeof(src), "rexecd.conf.example"),
	    false);
}

Test(conf_example, parses_with_every_setting_uncommented)
{
	char path[] = "/tmp/rexecd-example.XXXXXX", keys[KEYS_MAX][32];
	int fd = mkstemp(path);

	cr_assert_neq(fd, -1);
	close(fd);
	if (example_keys(keys, path) == 0) {
		unlink(path);
		cr_assert_fail("no \"# key = value\" line in the example");
	}
	assert_accepted(path, true);
}

/* A key misspelt in the example fails the test above: -t rejects it. */
Test(conf_example, check_rejects_an_unknown_key)
{
	char path[] = "/tmp/rexecd-example.XXXXXX", *out;
	int fd = mkstemp(path), st;

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, "wokers = 4\n", 11), 11);
	close(fd);
	st = check_conf(path, &out);
	unlink(path);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", out);
	cr_assert_not_null(strstr(out, "unknown key \"wokers\""), "%s", out);
	free(out);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

Test(conf_example, shows_every_key_of_the_daemon_once)
{
	char path[] = "/tmp/rexecd-example.XXXXXX";
	char ex[KEYS_MAX][32], dm[KEYS_MAX][32];
	int fd = mkstemp(path);
	size_t nex, ndm;

	cr_assert_neq(fd, -1);
	close(fd);
	nex = example_keys(ex, path);
	unlink(path);
	ndm = daemon_keys(dm);
	cr_assert_gt(ndm, 0);
	qsort(ex, nex, sizeof(ex[0]), by_name);
	qsort(dm, ndm, sizeof(dm[0]), by_name);
	for (size_t i = 0; i < nex && i < ndm; i++)
		cr_assert_str_eq(ex[i], dm[i], "example and daemon/config.c "
		    "differ at %s / %s", ex[i], dm[i]);
	cr_assert_eq(nex, ndm, "%zu keys in the example, %zu in the daemon",
	    nex, ndm);
}
