/* SPDX-License-Identifier: ISC */
/*
 * Fleet mode against real daemons: several on 127.0.0.1 ports, and one on
 * 0.0.0.0 with an allow-list answering as 127.0.0.2 ... 127.0.0.250.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "srctree.h"

#define WIDE_CONF	"allow = 127.0.0.0/8\nmax_workers = 128\n"
#define WAIT_MS		20000

static char	 dir[] = "/tmp/rexec-fleet-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", dir);
}

TestSuite(fleet, .init = setup, .fini = teardown);

/* A daemon on 0.0.0.0, for any 127.0.0.x. */
static void
start_wide(struct rexecd_proc *d)
{
	const char *args[] = { "-f", d->conf, "-p", "0", "-l", "0.0.0.0",
	    NULL };

	cr_assert_eq(rexecd_start_args(d, WIDE_CONF, args), 0,
	    "rexecd on 0.0.0.0 did not start");
}

static int
exit_code(const struct rexec_run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* Runs rexec with the arguments (NULL-terminated) and stdin opts. */
static void
run(struct rexec_run *r, const struct rexec_opts *o, ...)
{
	const char *argv[64];
	size_t n = 0;
	va_list ap;

	argv[n++] = rexec_bin();
	va_start(ap, o);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rexec_spawn(r, o, argv);
	rexec_wait(r);
}

static void
assert_has(const char *text, const char *needle)
{
	cr_assert_not_null(strstr(text, needle), "'%s' lacks '%s'", text,
	    needle);
}

/* Counts non-overlapping occurrences. */
static int
count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	return n;
}

/* The command, where the daemon's master pid picks a file of dir:
 * "cat DIR/NAME.MASTERPID" (the master, the spawner, is its parent). */
static void
per_daemon_cmd(char *buf, size_t len, const char *name)
{
	test_path(buf, len, "cat %s/%s.$PPID", dir, name);
}

static void
put(const char *name, int pid, const char *text)
{
	char path[512];
	FILE *f;

	test_path(path, sizeof(path), "%s/%s.%d", dir, name, pid);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

Test(fleet, hosts_on_several_ports)
{
	struct rexecd_proc d[3];
	struct rexec_run r;
	char list[256], want[128];

	for (int i = 0; i < 3; i++)
		rexecd_start(&d[i], NULL, NULL);
	snprintf(list, sizeof(list), "127.0.0.1:%d,127.0.0.1:%d",
	    d[0].port, d[1].port);
	snprintf(want, sizeof(want), "127.0.0.1:%d", d[2].port);
	run(&r, NULL, "-w", list, "-w", want, "seq 3; echo oops >&2",
	    NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	for (int i = 0; i < 3; i++) {
		snprintf(want, sizeof(want), "127.0.0.1:%d: 1\n127.0.0.1:%d: "
		    "2\n127.0.0.1:%d: 3\n", d[i].port, d[i].port, d[i].port);
		assert_has(r.out, want);
		snprintf(want, sizeof(want), "127.0.0.1:%d: oops\n",
		    d[i].port);
		assert_has(r.err, want);
	}
	cr_assert_eq(count(r.out, "\n"), 9);
	cr_assert_eq(count(r.err, "\n"), 3, "%s", r.err);
	rexec_run_free(&r);
	for (int i = 0; i < 3; i++)
		rexecd_stop(&d[i]);
}

Test(fleet, brackets_exclusion_file_no_prefix)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char list[128], ex[64], file[512], item[600], want[64];
	FILE *f;

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-6]:%d", d.port);
	snprintf(ex, sizeof(ex), "127.0.0.[3-4]:%d", d.port);
	test_path(file, sizeof(file), "%s/hosts", dir);
	cr_assert_not_null(f = fopen(file, "w"));
	fprintf(f, "# more\n127.0.0.9:%d\n\n127.0.0.2:%d\n", d.port, d.port);
	fclose(f);
	snprintf(item, sizeof(item), "^%s", file);
	run(&r, NULL, "-w", list, "-x", ex, "-w", item, "echo hi", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.out, "\n"), 4, "%s", r.out);
	for (int h = 2; h <= 9; h++) {
		snprintf(want, sizeof(want), "127.0.0.%d:%d: hi\n", h, d.port);
		cr_assert_eq(count(r.out, want),
		    h == 2 || h == 5 || h == 6 || h == 9, "%s", r.out);
	}
	rexec_run_free(&r);
	run(&r, NULL, "-N", "-w", list, "echo hi", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_str_eq(r.out, "hi\nhi\nhi\nhi\nhi\n");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* The largest host status; a folded summary line per outcome. */
Test(fleet, status_and_summary)
{
	struct rexecd_proc d[3];
	struct rexec_run r;
	char cmd[512], list[256], want[128];

	for (int i = 0; i < 3; i++)
		rexecd_start(&d[i], NULL, NULL);
	put("code", d[0].pid, "0");
	put("code", d[1].pid, "3");
	put("code", d[2].pid, "1");
	per_daemon_cmd(cmd, sizeof(cmd), "code");
	strncat(cmd, " | (read c; exit $c)", sizeof(cmd) - strlen(cmd) - 1);
	snprintf(list, sizeof(list), "127.0.0.1:%d,127.0.0.1:%d,"
	    "127.0.0.1:%d", d[0].port, d[1].port, d[2].port);
	run(&r, NULL, "-w", list, cmd, NULL);
	cr_assert_eq(exit_code(&r), 3, "%s", r.err);
	snprintf(want, sizeof(want), "rexec: 127.0.0.1:%d (1): exit 3\n",
	    d[1].port);
	assert_has(r.err, want);
	snprintf(want, sizeof(want), "rexec: 127.0.0.1:%d (1): exit 1\n",
	    d[2].port);
	assert_has(r.err, want);
	cr_assert_eq(count(r.err, "\n"), 2, "%s", r.err);
	rexec_run_free(&r);

	/* Two more that cannot connect: 255, folded in one line. */
	run(&r, NULL, "-w", list, "-w", "127.0.0.1:[1-2]", cmd, NULL);
	cr_assert_eq(exit_code(&r), 255, "%s", r.err);
	assert_has(r.err, "rexec: 127.0.0.1:1: cannot connect to port 1");
	assert_has(r.err, "rexec: 127.0.0.1:[1-2] (2): cannot connect\n");
	rexec_run_free(&r);
	for (int i = 0; i < 3; i++)
		rexecd_stop(&d[i]);
}

/* The failure is told at once, while the others still run. */
Test(fleet, unconnectable_host_while_others_run)
{
	struct rexecd_proc d;
	struct rexec_run r;
	const char *argv[8];
	char list[128], cmd[512], go[512], *err = NULL;

	start_wide(&d);
	test_path(go, sizeof(go), "%s/go", dir);
	snprintf(list, sizeof(list), "127.0.0.[2-4]:%d,127.0.0.1:1", d.port);
	test_path(cmd, sizeof(cmd), "echo ready; n=0; while [ ! -e %s ] && "
	    "[ $n -lt 600 ]; do sleep 0.05; n=$((n+1)); done; echo done", go);
	argv[0] = rexec_bin();
	argv[1] = "-w";
	argv[2] = list;
	argv[3] = cmd;
	argv[4] = NULL;
	rexec_spawn(&r, NULL, argv);
	cr_assert_eq(rexec_wait_out(&r, "ready\n", 3, WAIT_MS), 0);
	for (int i = 0; i < WAIT_MS / 20; i++) {
		free(err);
		err = read_file_all(r.err_path, NULL);
		if (err != NULL && strstr(err, "127.0.0.1:1: cannot") != NULL)
			break;
		test_sleep_ms(20);
	}
	assert_has(err, "rexec: 127.0.0.1:1: cannot connect");
	cr_assert_eq(rexec_out_count(&r, "done\n"), 0);
	free(err);
	cr_assert_not_null(fopen(go, "w"));
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 255);
	cr_assert_eq(count(r.out, ": done\n"), 3, "%s", r.out);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* Each command records how many run at that moment: never above 2,
 * and two do overlap. */
Test(fleet, fanout_two_at_a_time)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char list[128], cmd[1024], seen[512], *text;
	int max = 0, lines = 0;

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-7]:%d", d.port);
	test_path(cmd, sizeof(cmd), "touch %s/run.$$; i=0; while [ $i -lt 20 ];"
	    " do ls %s | grep -c '^run' >> %s/seen; i=$((i+1)); sleep 0.03; "
	    "done; rm %s/run.$$", dir, dir, dir, dir);
	run(&r, NULL, "-f", "2", "-w", list, cmd, NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	test_path(seen, sizeof(seen), "%s/seen", dir);
	cr_assert_not_null(text = read_file_all(seen, NULL));
	for (char *p = text; *p != '\0'; p = strchr(p, '\n') + 1) {
		int n = atoi(p);
		max = n > max ? n : max;
		lines++;
	}
	cr_assert_eq(lines, 6 * 20);
	cr_assert_eq(max, 2, "at most %d at once", max);
	free(text);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* ^C reaches every command's process group; hosts not started stay so:
 * "not run", with no status of their own (issue 23): rexec exits with
 * the commands' 3. */
Test(fleet, sigint_reaches_every_command)
{
	struct rexecd_proc d;
	struct rexec_run r;
	const char *argv[] = { rexec_bin(), "-f", "4", "-w", NULL,
	    "trap 'echo got INT; exit 3' INT; sh -c 'trap \"echo child INT; "
	    "exit 2\" INT; echo ready; while :; do sleep 0.1; done'", NULL };
	char list[128], want[128];

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-7]:%d", d.port);
	argv[4] = list;
	rexec_spawn(&r, NULL, argv);
	cr_assert_eq(rexec_wait_out(&r, "ready\n", 4, WAIT_MS), 0);
	cr_assert_eq(kill(r.pid, SIGINT), 0);
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 3, "%s", r.err);
	/* The shell and its child, each in the group, got it. */
	cr_assert_eq(count(r.out, ": got INT\n"), 4, "%s", r.out);
	cr_assert_eq(count(r.out, ": child INT\n"), 4, "%s", r.out);
	snprintf(want, sizeof(want), "rexec: 127.0.0.[2-5]:%d (4): exit 3\n",
	    d.port);
	assert_has(r.err, want);
	snprintf(want, sizeof(want), "rexec: 127.0.0.[6-7]:%d (2): not "
	    "run\n", d.port);
	assert_has(r.err, want);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* More hosts than the fanout: the input is kept (beyond the memory
 * bound, in a file) until the last host has it all. */
Test(fleet, stdin_broadcast_beyond_fanout)
{
	struct rexecd_proc d;
	struct rexec_run r;
	struct rexec_opts o = { 0 };
	char list[128], in[512], hash[65], want[128];

	start_wide(&d);
	test_path(in, sizeof(in), "%s/input", dir);
	write_random_file(in, 6 * 1024 * 1024 + 17, 11);
	sha256_file(in, hash);
	o.stdin_file = in;
	snprintf(list, sizeof(list), "127.0.0.[2-7]:%d", d.port);
	run(&r, &o, "-f", "2", "-w", list, "sha256sum", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	for (int h = 2; h <= 7; h++) {
		snprintf(want, sizeof(want), "127.0.0.%d:%d: %s  -\n", h,
		    d.port, hash);
		assert_has(r.out, want);
	}
	rexec_run_free(&r);

	o.stdin_file = NULL;
	o.stdin_text = "echo one\necho two\n";
	run(&r, &o, "-N", "-f", "1", "-w", list, "sh -s", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.out, "one\ntwo\n"), 6, "%s", r.out);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(fleet, five_hundred_hosts)
{
	struct rexecd_proc d[2];
	struct rexec_run r;
	char l0[64], l1[64], l2[64], want[64];

	start_wide(&d[0]);
	start_wide(&d[1]);
	snprintf(l0, sizeof(l0), "127.0.0.[2-250]:%d", d[0].port);
	snprintf(l1, sizeof(l1), "127.0.0.[2-250]:%d", d[1].port);
	snprintf(l2, sizeof(l2), "127.0.0.1:[%d,%d]", d[0].port, d[1].port);
	run(&r, NULL, "-w", l0, "-w", l1, "-w", l2, "echo ok", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.out, ": ok\n"), 500);
	for (int i = 0; i < 2; i++)
		for (int h = 1; h <= 250; h++) {
			snprintf(want, sizeof(want), "127.0.0.%d:%d: ok\n", h,
			    d[i].port);
			cr_assert_eq(count(r.out, want), 1, "%s", want);
		}
	rexec_run_free(&r);
	rexecd_stop(&d[0]);
	rexecd_stop(&d[1]);
}

/* Every line whole under one prefix, while all print long lines. */
Test(fleet, long_lines_never_mixed)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char list[128], prefix[64];
	long xs[16] = { 0 };

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-9]:%d", d.port);
	run(&r, NULL, "-w", list, "for i in $(seq 20); do head -c 100000 "
	    "/dev/zero | tr '\\0' x; echo; done", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	for (char *p = r.out, *nl; *p != '\0'; p = nl + 1) {
		int h = 0, port = 0, off = 0;
		size_t run_len;
		cr_assert_not_null(nl = strchr(p, '\n'));
		cr_assert_eq(sscanf(p, "127.0.0.%d:%d: %n", &h, &port, &off),
		    2, "%.80s", p);
		cr_assert(h >= 2 && h <= 9 && port == d.port && off > 0);
		run_len = strspn(p + off, "x");
		cr_assert_eq(p + off + run_len, nl, "a line mixed: %.120s", p);
		cr_assert(run_len > 0 && run_len <= 8192);
		xs[h] += (long)run_len;
	}
	for (int h = 2; h <= 9; h++)
		cr_assert_eq(xs[h], 20L * 100000, "host %d: %ld", h, xs[h]);
	snprintf(prefix, sizeof(prefix), "%d", d.port);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(fleet, gather_blocks)
{
	struct rexecd_proc d[2];
	struct rexec_run r;
	char cmd[512], list[256], want[512];

	rexecd_start(&d[0], NULL, NULL);
	start_wide(&d[1]);
	put("out", d[0].pid, "alpha\n");
	put("out", d[1].pid, "beta");
	per_daemon_cmd(cmd, sizeof(cmd), "out");
	snprintf(list, sizeof(list), "127.0.0.[2-3]:%d,127.0.0.1:%d,"
	    "127.0.0.[4-5]:%d", d[1].port, d[0].port, d[1].port);
	run(&r, NULL, "-b", "-w", list, cmd, NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	snprintf(want, sizeof(want), "----------------\n127.0.0.[2-5]:%d (4)\n"
	    "----------------\nbeta\n----------------\n127.0.0.1:%d (1)\n"
	    "----------------\nalpha\n", d[1].port, d[0].port);
	cr_assert_str_eq(r.out, want);
	rexec_run_free(&r);
	rexecd_stop(&d[0]);
	rexecd_stop(&d[1]);
}

Test(fleet, json_objects)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char list[128], host[64];
	int seen = 0;

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-3]:%d,127.0.0.1:1", d.port);
	run(&r, NULL, "--json", "-w", list, "printf 'ok\\377'; echo e >&2; "
	    "exit 4", NULL);
	cr_assert_eq(exit_code(&r), 255, "%s", r.err);
	for (char *p = r.out, *nl; (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1) {
		json_error_t e;
		json_t *o = json_loadb(p, (size_t)(nl - p), 0, &e);
		const char *h;
		cr_assert_not_null(o, "%s: %.*s", e.text, (int)(nl - p), p);
		h = json_string_value(json_object_get(o, "host"));
		cr_assert_not_null(h);
		cr_assert(json_is_integer(json_object_get(o, "duration_ms")));
		if (strcmp(h, "127.0.0.1:1") == 0) {
			cr_assert_eq(json_integer_value(json_object_get(o,
			    "status")), 255);
			cr_assert(json_is_null(json_object_get(o, "exit")));
			cr_assert_str_eq(json_string_value(json_object_get(
			    json_object_get(o, "error"), "code")), "connect");
		} else {
			snprintf(host, sizeof(host), "127.0.0.%d:%d",
			    strcmp(h + 8, "2") > 0 ? 3 : 2, d.port);
			cr_assert_eq(json_integer_value(json_object_get(o,
			    "status")), 4);
			cr_assert_eq(json_integer_value(json_object_get(
			    json_object_get(o, "exit"), "code")), 4);
			cr_assert(json_is_null(json_object_get(o, "error")));
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "stdout")), "ok\xef\xbf\xbd");
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "stderr")), "e\n");
			cr_assert(json_is_false(json_object_get(o,
			    "stdout_truncated")));
		}
		json_decref(o);
		seen++;
	}
	cr_assert_eq(seen, 3, "%s", r.out);
	/* Not with --json: the summary. */
	cr_assert_null(strstr(r.err, "(1): cannot connect"), "%s", r.err);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

static void
bad_list(const char *list, const char *contains)
{
	struct rexec_run r;

	run(&r, NULL, "-w", list, "-x", "gone", "true", NULL);
	assert_one_line(&r, "rexec: ", contains);
	rexec_run_free(&r);
}

Test(fleet, bad_host_lists)
{
	bad_list("", "empty host list");
	bad_list("n[5-1]", "bad range");
	bad_list("n[1-3", "unbalanced");
	bad_list("n[1-100001]", "more than 100000");
	bad_list("a[1-400]b[1-400]", "more than 100000");
	bad_list("^/nonexistent/hosts", "cannot read host file");
	bad_list("gone", "no host left");
}

/* The open-file limit is raised for the fanout, or rexec says why not. */
Test(fleet, open_file_limit)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char script[512];
	const char *argv[] = { "/bin/sh", "-c", script, rexec_bin(), NULL };

	start_wide(&d);
	snprintf(script, sizeof(script), "ulimit -Sn 32 && exec \"$0\" -f 100 "
	    "-w '127.0.0.[2-101]:%d' true", d.port);
	rexec_spawn(&r, NULL, argv);
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	rexec_run_free(&r);
	snprintf(script, sizeof(script), "ulimit -n 32 && exec \"$0\" -f 100 "
	    "-w '127.0.0.[2-101]:%d' true", d.port);
	rexec_spawn(&r, NULL, argv);
	rexec_wait(&r);
	assert_one_line(&r, "rexec: a fanout of 100 needs", "lower -f");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* Until rexec exits (left unreaped) or stdout holds needle n times. */
static bool
exited_or_count(const struct rexec_run *r, const char *needle, int n)
{
	siginfo_t si;

	for (int waited = 0; waited < WAIT_MS; waited += 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)r->pid, &si,
		    WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
			return true;
		if (rexec_out_count(r, needle) >= n)
			return false;
		test_sleep_ms(10);
	}
	cr_assert_fail("no reaction to SIGINT");
	return true;
}

/* The third ^C gives up on every host at once.  Signals are not queued:
 * each is sent once the one before reached every command. */
Test(fleet, third_sigint_gives_up)
{
	struct rexecd_proc d;
	struct rexec_run r;
	const char *argv[] = { rexec_bin(), "-w", NULL,
	    "trap 'echo got INT' INT; echo ready; while :; do sleep 0.1; done",
	    NULL };
	char list[128], want[128];
	int sent = 0;

	start_wide(&d);
	snprintf(list, sizeof(list), "127.0.0.[2-4]:%d", d.port);
	argv[2] = list;
	rexec_spawn(&r, NULL, argv);
	cr_assert_eq(rexec_wait_out(&r, "ready\n", 3, WAIT_MS), 0);
	do
		cr_assert_eq(kill(r.pid, SIGINT), 0);
	while (++sent < 20 && !exited_or_count(&r, "got INT\n", 3 * sent));
	rexec_wait(&r);
	cr_assert_geq(sent, 3);
	cr_assert_eq(exit_code(&r), 255, "%s", r.err);
	for (int h = 2; h <= 4; h++) {
		snprintf(want, sizeof(want), "rexec: 127.0.0.%d:%d: "
		    "interrupted\n", h, d.port);
		assert_has(r.err, want);
	}
	snprintf(want, sizeof(want), "rexec: 127.0.0.[2-4]:%d (3): "
	    "interrupted\n", d.port);
	assert_has(r.err, want);
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* A host that floods its output does not hold another's line back. */
Test(fleet, chatty_host_does_not_hold_others)
{
	struct rexecd_proc d[2];
	struct rexec_run r;
	const char *argv[] = { rexec_bin(), "-w", NULL, NULL, NULL };
	char list[128], cmd[1024], go[512], want[64];

	rexecd_start(&d[0], NULL, NULL);
	rexecd_start(&d[1], NULL, NULL);
	put("spam", d[0].pid, "");
	test_path(go, sizeof(go), "%s/go", dir);
	test_path(cmd, sizeof(cmd), "m=$PPID; "
	    "n=0; if [ -e %s/spam.$m ]; then while [ ! -e %s ] && "
	    "[ $n -lt 3000 ]; do yes spam | head -c 65536; n=$((n+1)); done; "
	    "else echo quick; fi", dir, go);
	snprintf(list, sizeof(list), "127.0.0.1:%d,127.0.0.1:%d", d[0].port,
	    d[1].port);
	argv[2] = list;
	argv[3] = cmd;
	rexec_spawn(&r, NULL, argv);
	snprintf(want, sizeof(want), "127.0.0.1:%d: quick\n", d[1].port);
	cr_assert_eq(rexec_wait_out(&r, want, 1, WAIT_MS), 0);
	cr_assert_not_null(fopen(go, "w"));
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	rexec_run_free(&r);
	rexecd_stop(&d[0]);
	rexecd_stop(&d[1]);
}

/* An IPv6 literal in brackets, and user@ sent for that host only. */
Test(fleet, ipv6_and_user_items)
{
	struct rexecd_proc d6, d4;
	struct rexec_run r;
	const char *args[] = { "-f", d6.conf, "-p", "0", "-l", "::1", NULL };
	char list[128], want[128];

	if (rexecd_start_args(&d6, NULL, args) != 0)
		cr_skip_test("no IPv6 loopback here");
	rexecd_start(&d4, NULL, NULL);
	snprintf(list, sizeof(list), "[::1]:%d,nosuchuser@127.0.0.1:%d",
	    d6.port, d4.port);
	run(&r, NULL, "-w", list, "echo hi", NULL);
	cr_assert_eq(exit_code(&r), 255, "%s", r.err);
	snprintf(want, sizeof(want), "[::1]:%d: hi\n", d6.port);
	cr_assert_str_eq(r.out, want);
	snprintf(want, sizeof(want), "rexec: nosuchuser@127.0.0.1:%d: "
	    "authentication refused", d4.port);
	assert_has(r.err, want);
	snprintf(want, sizeof(want), "rexec: nosuchuser@127.0.0.1:%d (1): "
	    "refused (auth)\n", d4.port);
	assert_has(r.err, want);
	rexec_run_free(&r);
	rexecd_stop(&d6);
	rexecd_stop(&d4);
}
