/* SPDX-License-Identifier: ISC */
/* The pool grows, shrinks, and survives its workers being killed. */
#include <sys/stat.h>
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

#define CONCURRENT	12

static struct rexecd_proc d;

static void
teardown(void)
{
	cr_expect_eq(rexecd_stop(&d), 0);
}

TestSuite(daemon_pool, .fini = teardown, .timeout = 90);

static void
echo_ok(void)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"echo ok\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "ok\n");
	dt_result_free(&r);
}

static int
wait_workers(const char *state, int want, int timeout_ms)
{
	pid_t pids[256];

	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (dt_workers(d.pid, state, pids, 256) == want)
			return 0;
		test_sleep_ms(20);
	}
	return -1;
}

Test(daemon_pool, grows_beyond_workers_when_all_busy)
{
	struct dt_result r[CONCURRENT];
	int fd[CONCURRENT];
	pid_t pids[256];
	char want[32];

	/* All connect at once from one address: more unauthenticated at a
	 * time than per_source_max_startups lets by default. */
	rexecd_start(&d, "workers = 2\nmax_workers = 16\nmax_spare = 4\n"
	    "per_source_max_startups = 0\n", NULL);
	/* Each command waits for its stdin: all must run at once. */
	for (int i = 0; i < CONCURRENT; i++) {
		fd[i] = rexecd_connect(&d);
		cr_assert_neq(fd[i], -1);
		cr_assert_eq(dt_send_exec(fd[i], "{\"cmd\": \"echo $$; cat\"}"),
		    0);
	}
	for (int i = 0; i < CONCURRENT; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		cr_assert_eq(dt_read_until(fd[i], "started", 30000, &r[i]), 0,
		    "command %d never started", i);
	}
	cr_assert_geq(dt_workers(d.pid, NULL, pids, 256), CONCURRENT);
	for (int i = 0; i < CONCURRENT; i++) {
		dt_session(fd[i], "x", 1, true, 30000, &r[i]);
		close(fd[i]);
		cr_assert(r[i].got_exit && r[i].st.code == 0);
		snprintf(want, sizeof(want), "%d\nx", (int)r[i].pid);
		cr_assert_str_eq(r[i].out, want);
		dt_result_free(&r[i]);
	}
	/* Then it shrinks back to max_spare idle ones. */
	cr_assert_eq(wait_workers(NULL, 4, 20000), 0, "pool did not shrink");
}

Test(daemon_pool, kill_9_idle_worker)
{
	pid_t pids[8];
	char needle[64];

	rexecd_start(&d, "workers = 2\n", NULL);
	cr_assert_eq(wait_workers("idle", 2, 10000), 0);
	cr_assert_eq(dt_workers(d.pid, "idle", pids, 8), 2);
	kill(pids[0], SIGKILL);
	snprintf(needle, sizeof(needle), "worker %d died", (int)pids[0]);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0);
	cr_assert_eq(wait_workers("idle", 2, 10000), 0, "not replaced");
	for (int i = 0; i < 5; i++)
		echo_ok();
}

/* Started with SIGCHLD ignored (as some supervisors leave it), the master
 * still sees its workers die and replaces them. */
Test(daemon_pool, worker_death_seen_with_sigchld_ignored)
{
	char wrapper[] = "/tmp/rexecd-sigchld.XXXXXX", needle[64];
	const char *real = rexecd_bin();
	pid_t pids[8];
	FILE *f;
	int fd;

	cr_assert_neq(fd = mkstemp(wrapper), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fprintf(f, "#!/bin/sh\nexec env --ignore-signal=CHLD '%s' \"$@\"\n",
	    real);
	fclose(f);
	cr_assert_eq(chmod(wrapper, 0700), 0);
	cr_assert_eq(setenv("REXECD_BIN", wrapper, 1), 0);
	rexecd_start(&d, "workers = 2\n", NULL);
	unlink(wrapper);	/* listening: the wrapper is exec'd already */
	cr_assert_eq(wait_workers("idle", 2, 10000), 0);
	cr_assert_eq(dt_workers(d.pid, "idle", pids, 8), 2);
	kill(pids[0], SIGKILL);
	snprintf(needle, sizeof(needle), "worker %d died", (int)pids[0]);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0, "death unseen");
	cr_assert_eq(wait_workers("idle", 2, 10000), 0, "not replaced");
}

Test(daemon_pool, kill_9_busy_worker)
{
	pid_t pids[8];
	char marker[32], json[128], needle[64];
	struct dt_result r;
	int fd, n;

	rexecd_start(&d, "workers = 2\n", NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"sleep %s & sleep %s\"}",
	    marker, marker);
	fd = rexecd_connect(&d);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	/* The busy one shows the peer in its title. */
	n = dt_workers(d.pid, "127.0.0.1:", pids, 8);
	cr_assert_eq(n, 1);
	kill(pids[0], SIGKILL);
	snprintf(needle, sizeof(needle), "worker %d died", (int)pids[0]);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0);
	dt_session(fd, NULL, 0, false, 10000, &r);
	close(fd);
	cr_assert(r.eof_without_end);
	/* Its command does not outlive it. */
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0);
	for (int i = 0; i < 5; i++)
		echo_ok();
	dt_result_free(&r);
}

Test(daemon_pool, workers_retire_after_max_requests)
{
	pid_t before[8], after[8];

	rexecd_start(&d, "workers = 1\nmax_workers = 1\nmax_requests = 2\n",
	    NULL);
	cr_assert_eq(wait_workers("idle", 1, 10000), 0);
	dt_workers(d.pid, "idle", before, 8);
	for (int i = 0; i < 7; i++)
		echo_ok();
	cr_assert_eq(wait_workers("idle", 1, 10000), 0);
	dt_workers(d.pid, "idle", after, 8);
	cr_assert_neq(before[0], after[0], "worker was not replaced");
	char *log = rexecd_log(&d);
	cr_assert_null(strstr(log, " died"), "%s", log);
	free(log);
}
