/* SPDX-License-Identifier: ISC */
/*
 * Faults: a log that cannot be written (a full pipe, a closed reader),
 * fork failing under RLIMIT_NPROC, a client that stops reading, and a
 * pile of silent connections four times the pool.  The daemon must keep
 * serving through each.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "hostile_util.h"
#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

/*
 * Starts rexecd (argv after the program name) with its stderr on a pipe;
 * reads the listening line from it and returns the pipe's read end,
 * which the test then leaves unread or closes.  prefix (may be NULL) is
 * run in front, e.g. setpriv.
 */
static int
start_piped(struct rexecd_proc *d, const char *const *prefix,
    const char *const *args)
{
	const char *argv[32];
	char line[4096] = "", *p;
	size_t n = 0, got = 0;
	int pfd[2];

	memset(d, 0, sizeof(*d));
	for (; prefix != NULL && *prefix != NULL; prefix++)
		argv[n++] = *prefix;
	argv[n++] = rexecd_bin();
	for (; *args != NULL; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	d->pid = fork();
	cr_assert_neq(d->pid, -1);
	if (d->pid == 0) {
		dup2(pfd[1], 2);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((p = strstr(line, " port ")) == NULL && got < sizeof(line) - 1) {
		struct pollfd pl = { .fd = pfd[0], .events = POLLIN };
		ssize_t r;
		cr_assert_eq(poll(&pl, 1, 10000), 1, "no listening line");
		r = read(pfd[0], line + got, sizeof(line) - 1 - got);
		cr_assert_gt(r, 0, "rexecd exited: %s", line);
		got += (size_t)r;
		line[got] = '\0';
	}
	d->port = atoi(p + 6);
	return pfd[0];
}

static void
assert_runs(const struct rexecd_proc *d, int i)
{
	struct dt_result r;
	char json[128], want[32];

	snprintf(json, sizeof(json), "{\"cmd\":\"echo %d\",\"cwd\":\"/\"}", i);
	snprintf(want, sizeof(want), "%d\n", i);
	dt_run(d, json, NULL, 0, &r);
	cr_assert(r.got_exit, "request %d: no exit frame (error: %s)", i,
	    r.got_error ? r.err.message : "none");
	cr_assert_eq(r.st.code, 0);
	cr_assert_str_eq(r.out, want);
	dt_result_free(&r);
}

/* The daemon of the running test, stopped by fini even after a failure. */
static struct rexecd_proc daemon_under_test;

static void
stop(struct rexecd_proc *d)
{
	int status;

	kill(d->pid, SIGTERM);
	cr_assert_eq(waitpid(d->pid, &status, 0), d->pid);
	d->pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "rexecd status %#x", status);
}

static void
cleanup(void)
{
	if (daemon_under_test.pid > 0) {
		kill(daemon_under_test.pid, SIGKILL);
		waitpid(daemon_under_test.pid, NULL, 0);
	}
	rexecd_stop(&daemon_under_test);
}

TestSuite(faults, .fini = cleanup);

Test(faults, log_to_a_full_pipe_does_not_stop_serving, .timeout = 120)
{
	const char *const args[] = { "-f", "/dev/null", "-p", "0", "-l",
	    "127.0.0.1", "-w", "2", "-d", NULL };
	int logfd = start_piped(&daemon_under_test, NULL, args);

	/* The smallest pipe fills after a few requests' debug lines. */
	fcntl(logfd, F_SETPIPE_SZ, 4096);
	for (int i = 0; i < 300; i++)
		assert_runs(&daemon_under_test, i);
	stop(&daemon_under_test);
	close(logfd);
}

Test(faults, log_reader_gone_does_not_stop_serving, .timeout = 120)
{
	const char *const args[] = { "-f", "/dev/null", "-p", "0", "-l",
	    "127.0.0.1", "-w", "2", NULL };

	close(start_piped(&daemon_under_test, NULL, args));
	for (int i = 0; i < 100; i++)
		assert_runs(&daemon_under_test, i);
	stop(&daemon_under_test);
}

/*
 * As an unprivileged user limited to 4 processes: master and two workers
 * make 3, one command the 4th; a second concurrent command cannot fork.
 * Its client gets a clear error, and the daemon serves again after.
 * RLIMIT_NPROC counts every process of the uid on the machine, so the
 * uid is one of this test's own (no account needed), not nobody's: the
 * tests running alongside run commands as nobody.
 */
/* Waits (bounded) until every child of the master is a worker. */
static int
wait_only_workers(pid_t master, int timeout_ms)
{
	pid_t w[64];

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (proc_children(master, NULL, 0) ==
		    (size_t)dt_workers(master, NULL, w, 64))
			return 0;
		test_sleep_ms(10);
	}
	return -1;
}

Test(faults, fork_failing_gives_an_error_and_recovers, .timeout = 120)
{
	char reuid[32], regid[32];
	unsigned own_id = 40000 + (unsigned)getpid() % 20000;
	const char *const prefix[] = { "prlimit", "--nproc=4:4", "setpriv",
	    reuid, regid, "--clear-groups", NULL };
	const char *const args[] = { "-f", "/dev/null", "-p", "0", "-l",
	    "127.0.0.1", "-w", "2", NULL };
	struct dt_result busy, r;
	char marker[64], json[160];
	int logfd, fd;

	if (access(rexecd_bin(), X_OK) == -1)
		cr_skip_test("no binary");
	snprintf(reuid, sizeof(reuid), "--reuid=%u", own_id);
	snprintf(regid, sizeof(regid), "--regid=%u", own_id);
	logfd = start_piped(&daemon_under_test, prefix, args);
	dt_marker(marker, sizeof(marker));
	/* argv, not cmd: a shell would need a fork of its own. */
	snprintf(json, sizeof(json),
	    "{\"argv\":[\"sleep\",\"%s\"],\"cwd\":\"/\"}", marker);
	fd = rexecd_connect(&daemon_under_test);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	memset(&busy, 0, sizeof(busy));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &busy), 0, "%s",
	    busy.got_error ? busy.err.message : "no started frame");

	dt_run(&daemon_under_test,
	    "{\"argv\":[\"echo\",\"never\"],\"cwd\":\"/\"}", NULL, 0, &r);
	cr_assert(r.got_error, "the fork should have failed");
	cr_assert(r.err.code == ERR_SPAWN || r.err.code == ERR_INTERNAL);
	cr_assert_neq(r.err.message[0], '\0');
	dt_result_free(&r);

	dt_result_free(&busy);
	close(fd);	/* ends the sleep: a process slot frees up */
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0);
	/* Once its worker let go of it: the master reaps the leader then,
	 * and a zombie counts against RLIMIT_NPROC too. */
	cr_assert_eq(wait_only_workers(daemon_under_test.pid, 10000), 0,
	    "the sleep's leader was never reaped");
	for (int i = 0; i < 20; i++)
		assert_runs(&daemon_under_test, i);
	stop(&daemon_under_test);
	close(logfd);
}

/*
 * A client that stops reading: its command blocks on a full socket but
 * is not killed, others are served meanwhile; max_timeout ends it.  How
 * fast the others are served does not matter: its log line tells that
 * the timeout, nothing earlier, ended it.
 */
Test(faults, stalled_reader_is_held_until_max_timeout, .timeout = 120)
{
	char marker[64], json[200], *log, *line;
	int fd;

	rexecd_start(&daemon_under_test, "max_timeout = 3\nkill_grace = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	fd = rexecd_connect(&daemon_under_test);
	snprintf(json, sizeof(json), "{\"cmd\":\"yes %s\"}", marker);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	/* Never read fd.  Others are served meanwhile. */
	for (int i = 0; i < 20; i++)
		assert_runs(&daemon_under_test, i);
	cr_assert_eq(proc_wait_marker_gone(marker, 60000), 0,
	    "max_timeout did not end the stalled command");
	cr_assert_eq(rexecd_wait_log(&daemon_under_test, "after the timeout",
	    60000), 0, "the stalled client was not dropped");
	log = rexecd_log(&daemon_under_test);
	cr_assert_not_null(line = strstr(log, marker));
	cr_assert_not_null(strstr(line, "(timed out)"), "%s", log);
	free(log);
	close(fd);
	rexecd_stop(&daemon_under_test);
}

Test(faults, silent_connections_do_not_starve_the_pool, .timeout = 120)
{
	struct rexec_run r;
	int silent[16];
	char addr[64];

	rexecd_start(&daemon_under_test, "max_workers = 4\n", NULL);
	/* From another address: this one's own would be penalised for
	 * them (issue 18), which hostile_flood tests. */
	for (int i = 0; i < 16; i++)
		cr_assert_neq(silent[i] = ht_connect_from(&daemon_under_test,
		    "127.0.0.2", true), -1);
	rexec_addr(addr, sizeof(addr), &daemon_under_test);
	rexec_run(&r, NULL, addr, "echo served", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "served\n");
	rexec_run_free(&r);
	for (int i = 0; i < 16; i++)
		close(silent[i]);
	rexecd_stop(&daemon_under_test);
}
