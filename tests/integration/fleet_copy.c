/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy (files.md): --copy and --rcopy against real daemons, one
 * daemon per host, each running the copy helper in a directory of its
 * own (its "home"), so that relative DIRs and sources land apart.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "proc_scan.h"
#include "pty_run.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define HOSTS_MAX	6
#define WAIT_MS		20000

static char			 base[] = "/tmp/rexec-copy-XXXXXX";
static struct rexecd_proc	 d[HOSTS_MAX];
static int			 nd;
static char			 hosts[HOSTS_MAX * 32];
static char			 mounted[PATH_MAX];

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(base));
	nd = 0;
	hosts[0] = '\0';
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 32];

	for (int i = 0; i < nd; i++)
		if (d[i].pid > 0)
			(void)rexecd_stop(&d[i]);
	if (mounted[0] != '\0' && umount2(mounted, MNT_DETACH) == -1)
		cr_log_warn("umount %s: %s", mounted, strerror(errno));
	mounted[0] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", base);
}

TestSuite(fleet_copy, .init = setup, .fini = teardown, .timeout = 120);

static const char *
copy_bin(char *buf, size_t len)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", rexec_bin());
	snprintf(buf, len, "%s/rexec-copy", dirname(tmp));
	cr_assert_eq(access(buf, X_OK), 0, "no %s (make all)", buf);
	return buf;
}

static const char *
path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static const char *
path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s/", base);

	va_start(ap, fmt);
	vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

/* Host i: a daemon whose copy helper runs in BASE/hI; out_cmd replaces
 * its rexec-copy-out (a hostile host), in_cmd its rexec-copy-in. */
static void
add_host(const char *in_cmd, const char *out_cmd)
{
	char conf[5 * PATH_MAX], bin[PATH_MAX], home[PATH_MAX];
	char in[PATH_MAX + 64], out[PATH_MAX + 64], addr[64];

	cr_assert_lt(nd, HOSTS_MAX);
	path(home, sizeof(home), "h%d", nd);
	cr_assert_eq(mkdir(home, 0755), 0);
	copy_bin(bin, sizeof(bin));
	snprintf(in, sizeof(in), "exec %s in", bin);
	snprintf(out, sizeof(out), "exec %s out", bin);
	snprintf(conf, sizeof(conf), "workers = 1\n"
	    "subsystem = rexec-copy-in cd %s && %s\n"
	    "subsystem = rexec-copy-out cd %s && %s\n",
	    home, in_cmd != NULL ? in_cmd : in,
	    home, out_cmd != NULL ? out_cmd : out);
	rexecd_start(&d[nd], conf, NULL);
	rexec_addr(addr, sizeof(addr), &d[nd]);
	if (nd > 0)
		strcat(hosts, ",");
	strcat(hosts, addr);
	nd++;
}

static void
add_hosts(int n)
{
	for (int i = 0; i < n; i++)
		add_host(NULL, NULL);
}

static void
write_text(const char *p, const char *text, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_neq(fd, -1, "%s: %s", p, strerror(errno));
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void
make_dir(const char *p)
{
	cr_assert_eq(mkdir(p, 0755), 0, "%s: %s", p, strerror(errno));
}

/* A file name of any bytes (files.md): blanks, a newline, UTF-8 and a
 * byte that is no UTF-8. */
#define ODD_NAME	"汉语-['foo bar']\n\xff.txt"

static void
make_tree(const char *root)
{
	char p[PATH_MAX];

	make_dir(root);
	snprintf(p, sizeof(p), "%s/run.sh", root);
	write_text(p, "#!/bin/sh\n", 0751);
	snprintf(p, sizeof(p), "%s/secret", root);
	write_text(p, "s3cret\n", 0600);
	snprintf(p, sizeof(p), "%s/sub", root);
	make_dir(p);
	snprintf(p, sizeof(p), "%s/sub/" ODD_NAME, root);
	write_text(p, "odd\n", 0644);
	snprintf(p, sizeof(p), "%s/sub/empty", root);
	write_text(p, "", 0640);
	snprintf(p, sizeof(p), "%s/link", root);
	cr_assert_eq(symlink("sub/empty", p), 0);
}

static void
assert_file(const char *p, const char *text, mode_t mode)
{
	struct stat st;
	char *got;

	cr_assert_eq(lstat(p, &st), 0, "%s: %s", p, strerror(errno));
	cr_assert(S_ISREG(st.st_mode), "%s: not a file", p);
	cr_assert_eq(st.st_mode & 07777, mode, "%s: mode %o", p,
	    st.st_mode & 07777);
	cr_assert_not_null(got = read_file_all(p, NULL));
	cr_assert_str_eq(got, text, "%s", p);
	free(got);
}

static void
assert_tree(const char *root)
{
	char p[PATH_MAX], link[64];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/run.sh", root);
	assert_file(p, "#!/bin/sh\n", 0751);
	snprintf(p, sizeof(p), "%s/secret", root);
	assert_file(p, "s3cret\n", 0600);
	snprintf(p, sizeof(p), "%s/sub/" ODD_NAME, root);
	assert_file(p, "odd\n", 0644);
	snprintf(p, sizeof(p), "%s/sub/empty", root);
	assert_file(p, "", 0640);
	snprintf(p, sizeof(p), "%s/link", root);
	n = readlink(p, link, sizeof(link) - 1);
	cr_assert_gt(n, 0, "%s: not a symlink", p);
	link[n] = '\0';
	cr_assert_str_eq(link, "sub/empty");
}

static bool
exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static int
code(const struct rexec_run *r)
{
	cr_assert(WIFEXITED(r->status), "rexec was killed");
	return WEXITSTATUS(r->status);
}

/* A tree to three hosts; relative DIR, under each host's home; without
 * a terminal nothing but the outcome is printed (no progress). */
Test(fleet_copy, tree_to_three_hosts)
{
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX];

	add_hosts(3);
	make_tree(path(src, sizeof(src), "tree"));
	for (int i = 0; i < 3; i++)
		make_dir(path(p, sizeof(p), "h%d/dst", i));
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, "--dest", "dst",
	    NULL);
	cr_assert_eq(code(&r), 0, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert_str_empty(r.err, "printed without a terminal: %s", r.err);
	for (int i = 0; i < 3; i++)
		assert_tree(path(p, sizeof(p), "h%d/dst/tree", i));
	rexec_run_free(&r);
}

/* A file replaces one of its name; --preserve keeps the mtime, also
 * before the sources; default DIR: the directory the source is in. */
Test(fleet_copy, file_replaces_preserve_and_default_dir)
{
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX];
	struct timespec ts[2] = { { 978307200, 0 }, { 978307200, 0 } };
	struct stat st;

	add_hosts(1);
	write_text(path(src, sizeof(src), "f.txt"), "new\n", 0640);
	cr_assert_eq(utimensat(AT_FDCWD, src, ts, 0), 0);
	make_dir(path(p, sizeof(p), "h0/d"));
	write_text(path(p, sizeof(p), "h0/d/f.txt"), "old old old\n", 0644);
	rexec_run(&r, NULL, "-w", hosts, "--preserve", "--copy", src,
	    "--dest", "d", NULL);
	cr_assert_eq(code(&r), 0, "%s", r.err);
	assert_file(p, "new\n", 0640);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mtime, 978307200, "mtime not kept");
	rexec_run_free(&r);

	/* Without --preserve: the time of the copy. */
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, "--dest", "d", NULL);
	cr_assert_eq(code(&r), 0, "%s", r.err);
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_gt(st.st_mtime, 978307200 + 86400, "mtime kept");
	rexec_run_free(&r);

	/* No --dest: the absolute directory of the source, here base. */
	write_text(path(src, sizeof(src), "g.txt"), "gee\n", 0600);
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, NULL);
	cr_assert_eq(code(&r), 0, "%s", r.err);
	assert_file(src, "gee\n", 0600);
	rexec_run_free(&r);
}

/* --rcopy from three hosts: DIR/NAME.HOST, relative SRC from the home. */
Test(fleet_copy, rcopy_from_three_hosts)
{
	struct rexec_run r;
	char p[PATH_MAX], dest[PATH_MAX], host[64], text[32];

	add_hosts(3);
	for (int i = 0; i < 3; i++) {
		make_tree(path(p, sizeof(p), "h%d/tree", i));
		snprintf(text, sizeof(text), "host %d\n", i);
		write_text(path(p, sizeof(p), "h%d/tree/who", i), text, 0604);
	}
	make_dir(path(dest, sizeof(dest), "back"));
	rexec_run(&r, NULL, "-w", hosts, "--rcopy", "tree/", "--dest", dest,
	    NULL);
	cr_assert_eq(code(&r), 0, "%s", r.err);
	cr_assert_str_empty(r.err);
	for (int i = 0; i < 3; i++) {
		rexec_addr(host, sizeof(host), &d[i]);
		assert_tree(path(p, sizeof(p), "back/tree.%s", host));
		snprintf(text, sizeof(text), "host %d\n", i);
		assert_file(path(p, sizeof(p), "back/tree.%s/who", host), text,
		    0604);
	}
	rexec_run_free(&r);
}

/* One ustar header (and data) of a hostile stream. */
static void
tar_entry(FILE *f, const char *name, char type, const char *link,
    const char *data)
{
	unsigned char h[512] = { 0 };
	size_t len = data != NULL ? strlen(data) : 0;
	unsigned sum = 0;
	static const unsigned char zero[512];

	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011o", (unsigned)len & 07777777);
	snprintf((char *)h + 136, 12, "%011o", 0);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link != NULL)
		snprintf((char *)h + 157, 100, "%s", link);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	fwrite(h, 1, sizeof(h), f);
	if (len > 0) {
		fwrite(data, 1, len, f);
		fwrite(zero, 1, (512 - len % 512) % 512, f);
	}
}

static void
tar_end(FILE *f)
{
	static const unsigned char zero[1024];

	fwrite(zero, 1, sizeof(zero), f);
	cr_assert_eq(fclose(f), 0);
}

/* Hosts sending what would land outside their NAME.HOST: refused, that
 * host fails with the reason, nothing written outside, the good host's
 * copy complete. */
Test(fleet_copy, hostile_rcopy_streams)
{
	static const char *const why[] = { "\"..\"", "absolute",
	    "symlink", "outside" };
	struct rexec_run r;
	char p[PATH_MAX], cmd[PATH_MAX + 16], outside[PATH_MAX];
	char dest[PATH_MAX], abs[PATH_MAX], host[64];
	FILE *f;

	add_hosts(1);
	make_dir(path(p, sizeof(p), "h0/data"));
	write_text(path(p, sizeof(p), "h0/data/ok"), "fine\n", 0644);
	make_dir(path(outside, sizeof(outside), "outside"));
	make_dir(path(dest, sizeof(dest), "back"));
	path(abs, sizeof(abs), "outside/abs");
	for (int i = 0; i < 4; i++) {
		path(p, sizeof(p), "evil%d.tar", i);
		cr_assert_not_null(f = fopen(p, "w"));
		tar_entry(f, "data", '5', NULL, NULL);
		if (i == 0)
			tar_entry(f, "data/../../outside/dotdot", '0', NULL,
			    "x\n");
		if (i == 1)
			tar_entry(f, abs, '0', NULL, "x\n");
		if (i == 2) {
			tar_entry(f, "data/l", '2', outside, NULL);
			tar_entry(f, "data/l/through", '0', NULL, "x\n");
		}
		if (i == 3)
			tar_entry(f, "other/x", '0', NULL, "x\n");
		tar_end(f);
		snprintf(cmd, sizeof(cmd), "cat %s", p);
		add_host(NULL, cmd);
	}
	rexec_run(&r, NULL, "-w", hosts, "--rcopy", "data", "--dest", dest,
	    NULL);
	cr_assert_eq(code(&r), 255, "%s", r.err);
	for (int i = 1; i < 5; i++) {
		char line[256];

		rexec_addr(host, sizeof(host), &d[i]);
		snprintf(line, sizeof(line), "rexec: %s", host);
		cr_assert_not_null(strstr(r.err, line), "%s not failed: %s",
		    host, r.err);
		cr_assert_not_null(strstr(r.err, why[i - 1]), "no reason "
		    "\"%s\": %s", why[i - 1], r.err);
	}
	cr_assert_not(exists(path(p, sizeof(p), "outside/dotdot")));
	cr_assert_not(exists(abs));
	cr_assert_not(exists(path(p, sizeof(p), "outside/through")));
	cr_assert_not(exists(path(p, sizeof(p), "back/other.x")));
	rexec_addr(host, sizeof(host), &d[0]);
	assert_file(path(p, sizeof(p), "back/data.%s/ok", host), "fine\n",
	    0644);
	rexec_run_free(&r);
}

/* A missing source: nothing is sent, one line, 255. */
Test(fleet_copy, missing_source)
{
	struct rexec_run r;
	char src[PATH_MAX], gone[PATH_MAX], p[PATH_MAX];

	add_hosts(2);
	write_text(path(src, sizeof(src), "here"), "x\n", 0644);
	path(gone, sizeof(gone), "gone");
	make_dir(path(p, sizeof(p), "h0/dst"));
	make_dir(path(p, sizeof(p), "h1/dst"));
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, gone, "--dest",
	    "dst", NULL);
	assert_one_line(&r, "rexec: ", "No such file or directory");
	cr_assert_not(exists(path(p, sizeof(p), "h0/dst/here")));
	rexec_run_free(&r);
}

/* DIR missing on one host: it fails with the helper's reason, in the
 * summary; the others complete; status 1 (the helper's). */
Test(fleet_copy, missing_dest_on_one_host)
{
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX], host[64], want[128];

	add_hosts(3);
	write_text(path(src, sizeof(src), "f"), "data\n", 0644);
	make_dir(path(p, sizeof(p), "h0/dst"));
	make_dir(path(p, sizeof(p), "h2/dst"));
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, "--dest", "dst",
	    NULL);
	cr_assert_eq(code(&r), 1, "%s", r.err);
	rexec_addr(host, sizeof(host), &d[1]);
	snprintf(want, sizeof(want), "rexec: %s (1): rexec-copy: dst: No "
	    "such file or directory", host);
	cr_assert_not_null(strstr(r.err, want), "%s", r.err);
	assert_file(path(p, sizeof(p), "h0/dst/f"), "data\n", 0644);
	assert_file(path(p, sizeof(p), "h2/dst/f"), "data\n", 0644);
	rexec_run_free(&r);
}

/* A file the client cannot read: every host fails, saying which file
 * and why; none has it under its name.  Root reads everything: then
 * rexec runs as nobody (setpriv). */
Test(fleet_copy, unreadable_file)
{
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX];
	const char *argv[16];
	int n = 0;

	add_hosts(2);
	make_dir(path(src, sizeof(src), "t"));
	cr_assert_eq(chmod(base, 0755), 0);
	write_text(path(p, sizeof(p), "t/locked"), "no\n", 0000);
	make_dir(path(p, sizeof(p), "h0/dst"));
	make_dir(path(p, sizeof(p), "h1/dst"));
	if (geteuid() == 0) {
		if (access("/usr/bin/setpriv", X_OK) != 0)
			cr_skip_test("root reads every file, and no setpriv");
		argv[n++] = "/usr/bin/setpriv";
		argv[n++] = "--reuid=nobody";
		argv[n++] = "--regid=nogroup";
		argv[n++] = "--clear-groups";
	} else if (access(p, R_OK) == 0) {
		cr_skip_test("%s is readable anyway", p);
	}
	argv[n++] = rexec_bin();
	argv[n++] = "-w";
	argv[n++] = hosts;
	argv[n++] = "--copy";
	argv[n++] = src;
	argv[n++] = "--dest";
	argv[n++] = "dst";
	argv[n] = NULL;
	rexec_spawn(&r, NULL, argv);
	rexec_wait(&r);
	cr_assert_eq(code(&r), 255, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "locked"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "ermission denied"), "%s", r.err);
	cr_assert_not(exists(path(p, sizeof(p), "h0/dst/t/locked")));
	cr_assert_not(exists(path(p, sizeof(p), "h1/dst/t/locked")));
	rexec_run_free(&r);
}

/* No space on one host (a small tmpfs): it fails with the reason; the
 * other has the file; no partial file under its name. */
Test(fleet_copy, full_disk_on_one_host)
{
	struct rexec_run r;
	char src[PATH_MAX], small[PATH_MAX], p[PATH_MAX];

	if (geteuid() != 0)
		cr_skip_test("mounting a small tmpfs needs root");
	add_hosts(2);
	write_random_file(path(src, sizeof(src), "big"), 3 << 20, 7);
	make_dir(path(p, sizeof(p), "h0/dst"));
	make_dir(path(small, sizeof(small), "h1/dst"));
	if (mount("rexec-copy-test", small, "tmpfs", 0, "size=1m") == -1)
		cr_skip_test("cannot mount a tmpfs: %s", strerror(errno));
	snprintf(mounted, sizeof(mounted), "%s", small);
	rexec_run(&r, NULL, "-w", hosts, "--copy", src, "--dest", "dst",
	    NULL);
	cr_assert_neq(code(&r), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "No space left on device"), "%s",
	    r.err);
	cr_assert_eq(files_equal(src, path(p, sizeof(p), "h0/dst/big")), 1);
	cr_assert_not(exists(path(p, sizeof(p), "h1/dst/big")));
	rexec_run_free(&r);
}

/* The host is gone at once: the master, its workers, its commands. */
static void
kill_daemon(struct rexecd_proc *p)
{
	pid_t kids[64];
	size_t n = proc_children(p->pid, kids, 64);

	cr_assert_eq(kill(p->pid, SIGKILL), 0);
	for (size_t i = 0; i < n && i < 64; i++)
		(void)kill(kids[i], SIGKILL);
	cr_assert_eq(waitpid(p->pid, NULL, 0), p->pid);
	p->pid = 0;
}

/* A host whose daemon dies in the middle: it fails with its reason, the
 * other completes. */
Test(fleet_copy, host_dies_mid_copy)
{
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX], mark[PATH_MAX], cmd[2 * PATH_MAX];
	char host[64], want[128];
	const char *argv[] = { rexec_bin(), "-w", hosts, "--copy", src,
	    "--dest", "dst", NULL };

	write_random_file(path(src, sizeof(src), "big"), 16 << 20, 9);
	path(mark, sizeof(mark), "mid");
	add_hosts(1);
	/* Reads 1 MiB, says so, then waits to be killed. */
	snprintf(cmd, sizeof(cmd), "head -c 1048576 >/dev/null && "
	    "touch %s && exec sleep 60", mark);
	add_host(cmd, NULL);
	make_dir(path(p, sizeof(p), "h0/dst"));
	rexec_spawn(&r, NULL, argv);
	for (int i = 0; i < WAIT_MS / 10 && !exists(mark); i++)
		test_sleep_ms(10);
	cr_assert(exists(mark), "the host never got the first MiB");
	kill_daemon(&d[1]);
	rexec_wait(&r);
	cr_assert_eq(code(&r), 255, "%s", r.err);
	rexec_addr(host, sizeof(host), &d[1]);
	snprintf(want, sizeof(want), "rexec: %s (1): connection lost", host);
	cr_assert_not_null(strstr(r.err, want), "%s", r.err);
	cr_assert_eq(files_equal(src, path(p, sizeof(p), "h0/dst/big")), 1);
	rexec_run_free(&r);
}

/* rchar of this process, which reaped rexec: its reads are in it. */
static unsigned long long
rchar(void)
{
	char *io = read_file_all("/proc/self/io", NULL), *p;
	unsigned long long n;

	cr_assert_not_null(io);
	cr_assert_not_null(p = strstr(io, "rchar: "));
	n = strtoull(p + 7, NULL, 10);
	free(io);
	return n;
}

/* The sources are read once, however many hosts (files.md). */
Test(fleet_copy, read_once_for_four_hosts)
{
	const size_t size = 8 << 20;
	struct rexec_run r;
	char src[PATH_MAX], p[PATH_MAX];
	unsigned long long before, read;

	add_hosts(4);
	write_random_file(path(src, sizeof(src), "big"), size, 3);
	for (int i = 0; i < 4; i++)
		make_dir(path(p, sizeof(p), "h%d/dst", i));
	before = rchar();
	rexec_run(&r, &(struct rexec_opts){ .no_load = true }, "-w", hosts,
	    "--copy", src, "--dest", "dst", NULL);
	read = rchar() - before;
	cr_assert_eq(code(&r), 0);
	cr_assert_geq(read, size, "rexec's reads not counted: %llu", read);
	cr_assert_lt(read, size + size / 2, "read %llu bytes for a file "
	    "of %zu", read, size);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(files_equal(src, path(p, sizeof(p),
		    "h%d/dst/big", i)), 1);
	rexec_run_free(&r);
}

/* The options' grammar: usage errors. */
Test(fleet_copy, usage_errors)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "-w", "127.0.0.1:1", "--rcopy", "x", NULL);
	assert_one_line(&r, "rexec: ", "--dest");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-w", "127.0.0.1:1", "--copy", NULL);
	assert_one_line(&r, "rexec: ", "source");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--copy", "127.0.0.1:1", "x", NULL);
	assert_one_line(&r, "rexec: ", "-w");
	rexec_run_free(&r);
}

/* On a terminal, a copy lasting over a second shows one line of
 * progress, erased at the end.  The host starts reading 1.5 s late, so
 * the copy lasts that long. */
Test(fleet_copy, progress_on_a_terminal)
{
	struct pty_run r;
	char src[PATH_MAX], p[PATH_MAX], cmd[2 * PATH_MAX], bin[PATH_MAX];
	const char *argv[] = { rexec_bin(), "-w", hosts, "--copy", src,
	    "--dest", "dst", NULL };

	write_random_file(path(src, sizeof(src), "big"), 8 << 20, 5);
	snprintf(cmd, sizeof(cmd), "sleep 1.5 && exec %s in",
	    copy_bin(bin, sizeof(bin)));
	add_host(cmd, NULL);
	make_dir(path(p, sizeof(p), "h0/dst"));
	pty_spawn(&r, NULL, argv);
	cr_assert_eq(pty_wait(&r, WAIT_MS), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "0/1 hosts done"), "no progress: "
	    "%s", r.out);
	cr_assert_gt(r.len, 4);
	cr_assert_str_eq(r.out + r.len - 4, "\r\033[K", "not erased");
	cr_assert_eq(files_equal(src, path(p, sizeof(p), "h0/dst/big")), 1);
	pty_free(&r);
}
