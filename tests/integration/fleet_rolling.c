/* SPDX-License-Identifier: ISC */
/*
 * Rolling runs against a real daemon answering as 127.0.0.2, .3 ...
 * (issue 23): batches strictly in sequence, percentages, --max-fail,
 * -k, the second ^C, --pick, --outdir, the status line.  Each command
 * learns its host from REXEC_CONNECTION; they meet through files.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "pty_run.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "srctree.h"

#define WIDE_CONF	"allow = 127.0.0.0/8\nmax_workers = 64\n"
#define WAIT_MS		20000
/* The host's last octet, from the server's address in REXEC_CONNECTION. */
#define HOST_OCTET	"set -- $REXEC_CONNECTION; h=${3##*.}; "
/* A bounded wait (30 s) for a shell condition. */
#define UNTIL(cond)	"n=0; until " cond " || [ $n -ge 600 ]; do sleep " \
			"0.05; n=$((n+1)); done; "

static struct rexecd_proc	 d;
static char			 dir[] = "/tmp/rolling-fleet-XXXXXX";

static void
setup(void)
{
	const char *args[] = { "-f", d.conf, "-p", "0", "-l", "0.0.0.0",
	    NULL };

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(rexecd_start_args(&d, WIDE_CONF, args), 0,
	    "rexecd on 0.0.0.0 did not start");
}

static void
teardown(void)
{
	char cmd[128];

	if (d.pid > 0)
		rexecd_stop(&d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", dir);
}

TestSuite(fleet_rolling, .init = setup, .fini = teardown, .timeout = 120);

static int
exit_code(const struct rexec_run *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

/* "127.0.0.[first-last]:PORT" */
static const char *
hosts(char *buf, size_t len, int first, int last)
{
	snprintf(buf, len, "127.0.0.[%d-%d]:%d", first, last, d.port);
	return buf;
}

static int
count(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	return n;
}

static void
assert_has(const char *text, const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	cr_assert_not_null(strstr(text, want), "no '%s' in:\n%s", want, text);
}

static char *
slurp(const char *name)
{
	char path[512];

	test_path(path, sizeof(path), "%s/%s", dir, name);
	return read_file_all(path, NULL);
}

static bool
exists(const char *name)
{
	char path[512];

	test_path(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/*
 * 7 hosts (127.0.0.2-8) in batches of size, arg as --batch says it.
 * Each command logs "start H", waits until every host of its own batch
 * has started (so a batch's hosts do run together: else the wait ends
 * in "alone"), then logs "end H".  The log, appended to with O_APPEND,
 * says the order: no start of batch k+1 before the last end of batch k.
 */
static void
batches_of(const char *arg, int size)
{
	struct rexec_run r;
	char list[64], cmd[1024], env[32], *log, *p;
	int pos_start[9] = { 0 }, pos_end[9] = { 0 }, line = 0;

	snprintf(env, sizeof(env), "SIZE=%d", size);
	test_path(cmd, sizeof(cmd), HOST_OCTET "echo start $h >> %s/log; "
	    "touch %s/s.$h; i=$((h-2)); want=$(( (i/SIZE+1)*SIZE )); "
	    "[ $want -gt 7 ] && want=7; "
	    UNTIL("[ $(ls %s | grep -c '^s\\.') -ge $want ]")
	    "[ $n -ge 600 ] && echo alone; echo end $h >> %s/log",
	    dir, dir, dir, dir);
	rexec_run(&r, NULL, "--batch", arg, "-e", env, "-w",
	    hosts(list, sizeof(list), 2, 8), cmd, NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.out, "alone"), 0, "%s", r.out);
	cr_assert_not_null(log = slurp("log"));
	for (p = log; *p != '\0'; p = strchr(p, '\n') + 1) {
		int h = atoi(p + (p[0] == 's' ? 6 : 4));
		cr_assert(h >= 2 && h <= 8, "%s", log);
		line++;
		cr_assert_eq(p[0] == 's' ? pos_start[h] : pos_end[h], 0);
		*(p[0] == 's' ? &pos_start[h] : &pos_end[h]) = line;
	}
	cr_assert_eq(line, 14, "%s", log);
	/* Every host of a later batch starts after every end before it. */
	for (int a = 2; a <= 8; a++)
		for (int b = 2; b <= 8; b++)
			if ((b - 2) / size > (a - 2) / size)
				cr_assert_gt(pos_start[b], pos_end[a], "host %d "
				    "started before %d ended:\n%s", b, a, log);
	free(log);
	rexec_run_free(&r);
}

Test(fleet_rolling, batches_in_sequence)
{
	batches_of("3", 3);
}

/* 40% of 7 is 2.8: batches of 2; 10% of 7 is 0.7: of 1 (at least 1). */
Test(fleet_rolling, batch_percentages_round_down)
{
	batches_of("40%", 2);
	char path[512];
	test_path(path, sizeof(path), "rm -f %s/log %s/s.*", dir, dir);
	cr_assert_eq(system(path), 0);
	batches_of("10%", 1);
}

/* One at a time, all failing: 3 fail (more than 2), the other 5 never
 * start; exit status the failures', never that of "not run". */
Test(fleet_rolling, max_fail_stops_starting)
{
	struct rexec_run r;
	char list[64], cmd[512], *log;

	test_path(cmd, sizeof(cmd), HOST_OCTET "echo $h >> %s/log; exit 1",
	    dir);
	rexec_run(&r, NULL, "-f", "1", "--max-fail", "2", "-w",
	    hosts(list, sizeof(list), 2, 9), cmd, NULL);
	cr_assert_eq(exit_code(&r), 1, "%s", r.err);
	cr_assert_not_null(log = slurp("log"));
	cr_assert_str_eq(log, "2\n3\n4\n");
	assert_has(r.err, "rexec: 127.0.0.[2-4]:%d (3): exit 1\n", d.port);
	assert_has(r.err, "rexec: 127.0.0.[5-9]:%d (5): not run\n", d.port);
	cr_assert_eq(count(r.err, "\n"), 2, "%s", r.err);
	free(log);
	rexec_run_free(&r);

	/* 25% of 8 is 2: the same. */
	test_path(cmd, sizeof(cmd), "rm %s/log; exit 1", dir);
	rexec_run(&r, NULL, "-f", "1", "--max-fail", "25%", "-w",
	    hosts(list, sizeof(list), 2, 9), cmd, NULL);
	cr_assert_eq(exit_code(&r), 1, "%s", r.err);
	assert_has(r.err, "rexec: 127.0.0.[5-9]:%d (5): not run\n", d.port);
	rexec_run_free(&r);
}

/*
 * --max-fail 0 with 4 at once: .2 fails once .3-.5 are running; they
 * are not stopped (they finish when told, after rexec printed .2's
 * object, i.e. counted it), and .6-.9 never start: "not run" objects.
 */
Test(fleet_rolling, max_fail_lets_the_running_finish)
{
	struct rexec_run r;
	const char *argv[10];
	char list[64], cmd[1024], want[64];
	int n = 0, seen = 0;

	test_path(cmd, sizeof(cmd), HOST_OCTET "echo $h >> %s/log; "
	    "if [ $h = 2 ]; then " UNTIL("[ $(ls %s | grep -c '^r') -ge 3 ]")
	    "exit 1; fi; touch %s/r.$h; " UNTIL("[ -e %s/go ]") "echo done",
	    dir, dir, dir, dir);
	argv[n++] = rexec_bin();
	argv[n++] = "--json";
	argv[n++] = "-f";
	argv[n++] = "4";
	argv[n++] = "--max-fail";
	argv[n++] = "0";
	argv[n++] = "-w";
	argv[n++] = hosts(list, sizeof(list), 2, 9);
	argv[n++] = cmd;
	argv[n] = NULL;
	rexec_spawn(&r, NULL, argv);
	snprintf(want, sizeof(want), "\"host\":\"127.0.0.2:%d\"", d.port);
	cr_assert_eq(rexec_wait_out(&r, want, 1, WAIT_MS), 0);
	cr_assert_not_null(fopen(strcat(strcpy(cmd, dir), "/go"), "w"));
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 1, "%s", r.err);
	for (char *p = r.out, *nl; (nl = strchr(p, '\n')) != NULL;
	    p = nl + 1, seen++) {
		json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL);
		const char *h;
		int oct;
		cr_assert_not_null(o, "%.*s", (int)(nl - p), p);
		h = json_string_value(json_object_get(o, "host"));
		cr_assert_eq(sscanf(h, "127.0.0.%d", &oct), 1);
		if (oct == 2) {
			cr_assert_eq(json_integer_value(json_object_get(o,
			    "status")), 1);
		} else if (oct <= 5) {
			cr_assert_eq(json_integer_value(json_object_get(o,
			    "status")), 0, "%s", p);
			cr_assert_str_eq(json_string_value(json_object_get(o,
			    "stdout")), "done\n");
		} else {
			cr_assert(json_is_null(json_object_get(o, "status")));
			cr_assert(json_is_null(json_object_get(o, "exit")));
			cr_assert_str_eq(json_string_value(json_object_get(
			    json_object_get(o, "error"), "code")), "not_run");
		}
		json_decref(o);
	}
	cr_assert_eq(seen, 8, "%s", r.out);
	cr_assert_eq(count(r.err, "not run"), 0, "--json has no summary: %s",
	    r.err);
	rexec_run_free(&r);
}

/* -k: .2 fails once .3-.5 run; they get TERM (their traps say so), the
 * rest never start. */
Test(fleet_rolling, fail_fast_terms_the_running)
{
	struct rexec_run r;
	char list[64], cmd[1024], name[32], *log;

	test_path(cmd, sizeof(cmd), HOST_OCTET "echo $h >> %s/log; "
	    "if [ $h = 2 ]; then " UNTIL("[ $(ls %s | grep -c '^r') -ge 3 ]")
	    "exit 1; fi; trap 'touch %s/term.$h; exit 5' TERM; "
	    "touch %s/r.$h; " UNTIL("false") "echo untouched",
	    dir, dir, dir, dir);
	rexec_run(&r, NULL, "-k", "-f", "4", "-w",
	    hosts(list, sizeof(list), 2, 9), cmd, NULL);
	cr_assert_eq(exit_code(&r), 5, "%s", r.err);
	for (int h = 3; h <= 5; h++) {
		snprintf(name, sizeof(name), "term.%d", h);
		cr_assert(exists(name), "%d got no TERM: %s", h, r.err);
	}
	cr_assert_eq(count(r.out, "untouched"), 0);
	cr_assert_not_null(log = slurp("log"));
	cr_assert_eq(count(log, "\n"), 4, "%s", log);
	for (int h = 6; h <= 9; h++) {
		snprintf(name, sizeof(name), "%d\n", h);
		cr_assert_null(strstr(log, name), "%s", log);
	}
	assert_has(r.err, "rexec: 127.0.0.2:%d (1): exit 1\n", d.port);
	assert_has(r.err, "rexec: 127.0.0.[3-5]:%d (3): exit 5\n", d.port);
	assert_has(r.err, "rexec: 127.0.0.[6-9]:%d (4): not run\n", d.port);
	free(log);
	rexec_run_free(&r);
}

/* -k with --max-fail 1: the second failure stops the run, not the
 * first. */
Test(fleet_rolling, fail_fast_at_the_max_fail_limit)
{
	struct rexec_run r;
	char list[64], cmd[512], *log;

	test_path(cmd, sizeof(cmd), HOST_OCTET "echo $h >> %s/log; exit 1",
	    dir);
	rexec_run(&r, NULL, "-k", "--max-fail", "1", "-f", "1", "-w",
	    hosts(list, sizeof(list), 2, 9), cmd, NULL);
	cr_assert_eq(exit_code(&r), 1, "%s", r.err);
	cr_assert_not_null(log = slurp("log"));
	cr_assert_str_eq(log, "2\n3\n");
	assert_has(r.err, "rexec: 127.0.0.[2-3]:%d (2): exit 1\n", d.port);
	assert_has(r.err, "rexec: 127.0.0.[4-9]:%d (6): not run\n", d.port);
	free(log);
	rexec_run_free(&r);
}

/* ^C in a batched run: the first reaches the running batch (its trap
 * goes on), the second ends it; the later batches are "not run". */
Test(fleet_rolling, sigint_in_a_batched_run)
{
	struct rexec_run r;
	const char *argv[] = { rexec_bin(), "--batch", "2", "-w", NULL,
	    "c=0; trap 'c=$((c+1)); echo got INT; [ $c -ge 2 ] && exit 3' "
	    "INT; echo ready; n=0; while [ $n -lt 600 ]; do sleep 0.05; "
	    "n=$((n+1)); done", NULL };
	char list[64];

	argv[4] = hosts(list, sizeof(list), 2, 7);
	rexec_spawn(&r, NULL, argv);
	cr_assert_eq(rexec_wait_out(&r, "ready\n", 2, WAIT_MS), 0);
	cr_assert_eq(kill(r.pid, SIGINT), 0);
	cr_assert_eq(rexec_wait_out(&r, "got INT\n", 2, WAIT_MS), 0);
	cr_assert_eq(kill(r.pid, SIGINT), 0);
	rexec_wait(&r);
	cr_assert_eq(exit_code(&r), 3, "%s", r.err);
	cr_assert_eq(count(r.out, "ready\n"), 2, "%s", r.out);
	assert_has(r.err, "rexec: 127.0.0.[2-3]:%d (2): exit 3\n", d.port);
	assert_has(r.err, "rexec: 127.0.0.[4-7]:%d (4): not run\n", d.port);
	rexec_run_free(&r);
}

/* The hosts a -N run printed (their octets), as a bit set. */
static unsigned
picked(const char *pick)
{
	struct rexec_run r;
	char list[64];
	unsigned set = 0;
	int n = 0;

	rexec_run(&r, NULL, "-N", "--pick", pick, "-w",
	    hosts(list, sizeof(list), 2, 9), HOST_OCTET "echo $h", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	for (char *p = r.out; *p != '\0'; p = strchr(p, '\n') + 1, n++) {
		int h = atoi(p);
		cr_assert(h >= 2 && h <= 9, "%s", r.out);
		cr_assert_eq(set & (1u << h), 0, "%d twice: %s", h, r.out);
		set |= 1u << h;
	}
	rexec_run_free(&r);
	return set;
}

/*
 * N distinct hosts; all of them when the list is shorter; not always
 * the same: 20 picks of 1 of 8 all alike has probability 8^-19.
 */
Test(fleet_rolling, pick_distinct_at_random)
{
	unsigned first, differ = 0;

	cr_assert_eq(__builtin_popcount(picked("3")), 3);
	cr_assert_eq(picked("20"), 0x3fcu);
	cr_assert_eq(picked("8"), 0x3fcu);
	first = picked("1");
	cr_assert_eq(__builtin_popcount(first), 1);
	for (int i = 0; i < 19 && !differ; i++)
		differ = picked("1") != first;
	cr_assert(differ, "20 runs of --pick 1 chose the same host");
}

/* Every byte value, then 1 MiB of noise: what the files must hold. */
static void
outdir_inputs(char *a, char *b, size_t len)
{
	FILE *f;

	test_path(a, len, "%s/a", dir);
	test_path(b, len, "%s/b", dir);
	cr_assert_not_null(f = fopen(a, "w"));
	for (int i = 0; i < 512; i++)
		fputc(i & 0xff, f);
	fclose(f);
	write_random_file(b, 1024 * 1024 + 3, 23);
}

/*
 * .2 writes binary stdout and stderr, .3 nothing (both files, empty);
 * one that cannot connect and one refused get none.  DIR is made, with
 * its parent; rexec's stdout stays empty.
 */
Test(fleet_rolling, outdir_files_exact)
{
	struct rexec_run r;
	char a[512], b[512], out[512], cmd[1280], list[128], path[640];
	struct stat st;

	outdir_inputs(a, b, sizeof(a));
	test_path(out, sizeof(out), "%s/new/out", dir);
	snprintf(cmd, sizeof(cmd), HOST_OCTET "[ $h = 2 ] && cat %s && "
	    "cat %s >&2; exit 0", a, b);
	snprintf(list, sizeof(list), "127.0.0.[2-3]:%d,127.0.0.1:1,"
	    "nosuchuser@127.0.0.4:%d", d.port, d.port);
	rexec_run(&r, NULL, "--outdir", out, "-w", list, cmd, NULL);
	cr_assert_eq(exit_code(&r), 255, "%s", r.err);
	cr_assert_eq(r.out_len, 0, "%s", r.out);
	assert_has(r.err, "rexec: 127.0.0.1:1: cannot connect");
	snprintf(path, sizeof(path), "%s/127.0.0.2:%d.out", out, d.port);
	cr_assert(files_equal(path, a), "%s differs", path);
	snprintf(path, sizeof(path), "%s/127.0.0.2:%d.err", out, d.port);
	cr_assert(files_equal(path, b), "%s differs", path);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/127.0.0.3:%d.%s", out,
		    d.port, i ? "err" : "out");
		cr_assert_eq(stat(path, &st), 0, "%s", path);
		cr_assert_eq(st.st_size, 0);
		snprintf(path, sizeof(path), "%s/127.0.0.1:1.%s", out,
		    i ? "err" : "out");
		cr_assert_neq(access(path, F_OK), 0, "%s", path);
		snprintf(path, sizeof(path), "%s/nosuchuser@127.0.0.4:%d.%s",
		    out, d.port, i ? "err" : "out");
		cr_assert_neq(access(path, F_OK), 0, "%s", path);
	}
	rexec_run_free(&r);
}

/* Hosts kept from starting get no files either. */
Test(fleet_rolling, outdir_not_for_hosts_not_run)
{
	struct rexec_run r;
	char out[512], list[64], path[640], *text;

	test_path(out, sizeof(out), "%s/o", dir);
	rexec_run(&r, NULL, "--outdir", out, "-f", "1", "-k", "-w",
	    hosts(list, sizeof(list), 2, 4), "echo x; exit 2", NULL);
	cr_assert_eq(exit_code(&r), 2, "%s", r.err);
	snprintf(path, sizeof(path), "%s/127.0.0.2:%d.out", out, d.port);
	cr_assert_not_null(text = read_file_all(path, NULL), "%s", path);
	cr_assert_str_eq(text, "x\n");
	free(text);
	for (int h = 3; h <= 4; h++) {
		snprintf(path, sizeof(path), "%s/127.0.0.%d:%d.out", out, h,
		    d.port);
		cr_assert_neq(access(path, F_OK), 0, "%s", path);
	}
	assert_has(r.err, "rexec: 127.0.0.[3-4]:%d (2): not run\n", d.port);
	rexec_run_free(&r);
}

/* Usage errors: one line, status 255, nothing run (no file touched). */
static void
refused(const char *contains, ...)
{
	struct rexec_run r;
	const char *argv[16];
	char list[64], cmd[512];
	size_t n = 0;
	va_list ap;

	argv[n++] = rexec_bin();
	va_start(ap, contains);
	while ((argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n++] = "-w";
	argv[n++] = hosts(list, sizeof(list), 2, 3);
	test_path(cmd, sizeof(cmd), "touch %s/ran", dir);
	argv[n++] = cmd;
	argv[n] = NULL;
	rexec_spawn(&r, NULL, argv);
	rexec_wait(&r);
	assert_one_line(&r, "rexec: ", contains);
	cr_assert(!exists("ran"));
	rexec_run_free(&r);
}

Test(fleet_rolling, usage_errors)
{
	char out[512];

	test_path(out, sizeof(out), "%s/o", dir);
	refused("--outdir cannot be used with -b", "--outdir", out, "-b",
	    NULL);
	refused("--outdir cannot be used with --json", "--json", "--outdir",
	    out, NULL);
	refused("--batch wants", "--batch", "0", NULL);
	refused("--batch wants", "--batch", "101%", NULL);
	refused("--max-fail wants", "--max-fail", "x", NULL);
	refused("--pick wants", "--pick", "10%", NULL);
	cr_assert_neq(access(out, F_OK), 0, "--outdir made before the check");
}

Test(fleet_rolling, options_need_dash_w)
{
	static const char *const opts[][2] = { { "--batch", "2" },
	    { "--max-fail", "1" }, { "-k", NULL }, { "--pick", "1" },
	    { "--outdir", "/tmp" } };
	struct rexec_run r;
	char host[64], want[64];

	snprintf(host, sizeof(host), "127.0.0.1:%d", d.port);
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (opts[i][1] != NULL)
			rexec_run(&r, NULL, opts[i][0], opts[i][1], host,
			    "true", NULL);
		else
			rexec_run(&r, NULL, opts[i][0], host, "true", NULL);
		snprintf(want, sizeof(want), "rexec: %s is an option of fleet "
		    "mode", opts[i][0]);
		assert_one_line(&r, want, "-w");
		rexec_run_free(&r);
	}
}

/* stdin is read once and kept until the last batch has it all. */
Test(fleet_rolling, stdin_broadcast_across_batches)
{
	struct rexec_run r;
	struct rexec_opts o = { 0 };
	char in[512], hash[65], list[64];

	test_path(in, sizeof(in), "%s/input", dir);
	write_random_file(in, 5 * 1024 * 1024 + 11, 5);
	sha256_file(in, hash);
	o.stdin_file = in;
	rexec_run(&r, &o, "-N", "--batch", "1", "-w",
	    hosts(list, sizeof(list), 2, 4), "sha256sum", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.out, hash), 3, "%s", r.out);
	rexec_run_free(&r);
}

/* Not a terminal: no status line at all. */
Test(fleet_rolling, no_status_line_off_a_terminal)
{
	struct rexec_run r;
	char list[64];

	rexec_run(&r, NULL, "--batch", "1", "-w",
	    hosts(list, sizeof(list), 2, 4), "echo hi >&2", NULL);
	cr_assert_eq(exit_code(&r), 0, "%s", r.err);
	cr_assert_eq(count(r.err, "batch"), 0, "%s", r.err);
	cr_assert_eq(count(r.err, "\033"), 0, "%s", r.err);
	cr_assert_eq(count(r.err, "\n"), 3, "%s", r.err);
	rexec_run_free(&r);
}

/* The host's line starts a line: after a newline or the erasure. */
static void
assert_line_alone(const struct pty_run *p, int h, const char *text)
{
	char want[128];
	const char *at;

	snprintf(want, sizeof(want), "127.0.0.%d:%d: %s\r\n", h, d.port, text);
	cr_assert_not_null(at = strstr(p->out, want), "no %s in:\n%s", want,
	    p->out);
	cr_assert(at[-1] == '\n' || (at - p->out >= 4 &&
	    strncmp(at - 4, "\r\033[K", 4) == 0), "%s not alone:\n%s",
	    want, p->out);
}

/*
 * On a terminal, with 3 batches: "batch k of 3" shown, every host's
 * line on a line of its own (the status cleared before it), the status
 * erased at the end; with one batch, none.
 */
Test(fleet_rolling, status_line_on_a_terminal)
{
	struct pty_run p;
	const char *argv[] = { rexec_bin(), "--batch", "1", "-w", NULL,
	    "echo hi; echo ho >&2", NULL };
	char list[64];
	const char *last = NULL;
	int st;

	argv[4] = hosts(list, sizeof(list), 2, 4);
	pty_spawn(&p, NULL, argv);
	st = pty_wait(&p, WAIT_MS);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%#x:\n%s", st,
	    p.out);
	for (int k = 1; k <= 3; k++)
		assert_has(p.out, "\rrexec: batch %d of 3: %d of 3 hosts done, "
		    "0 failed\033[K", k, k - 1);
	for (int h = 2; h <= 4; h++) {
		assert_line_alone(&p, h, "hi");
		assert_line_alone(&p, h, "ho");
	}
	/* Ends cleared: the last status text erased, and nothing but whole
	 * lines or the erasure at the very end. */
	for (const char *s = p.out; (s = strstr(s, "rexec: batch")) != NULL;
	    s++)
		last = s;
	cr_assert_not_null(strstr(last, "\r\033[K"), "%s", p.out);
	cr_assert(p.len >= 4 && (strcmp(p.out + p.len - 2, "\r\n") == 0 ||
	    strcmp(p.out + p.len - 4, "\r\033[K") == 0), "%s", p.out);
	pty_free(&p);

	argv[2] = "3";
	pty_spawn(&p, NULL, argv);
	st = pty_wait(&p, WAIT_MS);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_eq(count(p.out, "batch"), 0, "%s", p.out);
	cr_assert_eq(count(p.out, "\033"), 0, "%s", p.out);
	pty_free(&p);
}
