/* SPDX-License-Identifier: ISC */
/* Signals to rexec reach the remote command; a closed local pipe ends it. */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clock.h"
#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define TRAP_LOOP	"echo ready; while :; do sleep 0.1; done"

TestSuite(client_signals, .init = suite_daemon_start, .fini = suite_daemon_stop);

/* In the daemon's temp dir: a core a QUIT might leave is removed too. */
static void
spawn_ready(struct rexec_run *r, const char *cmd)
{
	const char *argv[] = { rexec_bin(), "-C", suite_daemon.dir, suite_addr, cmd, NULL };

	rexec_spawn(r, NULL, argv);
	cr_assert_eq(rexec_wait_out(r, "ready\n", 1, 20000), 0,
	    "the remote command never said ready");
}

static void
forwarded(int signo, const char *trap, const char *expect, int code)
{
	struct rexec_run r;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "%s; %s", trap, TRAP_LOOP);
	spawn_ready(&r, cmd);
	cr_assert_eq(kill(r.pid, signo), 0);
	rexec_wait(&r);
	cr_assert(WIFEXITED(r.status), "status %#x", r.status);
	cr_assert_eq(WEXITSTATUS(r.status), code, "exit %d: %s",
	    WEXITSTATUS(r.status), r.err);
	cr_assert_str_eq(r.out, expect);
	rexec_run_free(&r);
}

Test(client_signals, sigint_forwarded)
{
	forwarded(SIGINT, "trap 'echo got INT; exit 3' INT",
	    "ready\ngot INT\n", 3);
}

Test(client_signals, sigterm_forwarded)
{
	forwarded(SIGTERM, "trap 'echo got TERM; exit 4' TERM",
	    "ready\ngot TERM\n", 4);
}

Test(client_signals, sighup_forwarded)
{
	forwarded(SIGHUP, "trap 'echo got HUP; exit 5' HUP",
	    "ready\ngot HUP\n", 5);
}

Test(client_signals, sigquit_forwarded)
{
	forwarded(SIGQUIT, "trap 'echo got QUIT; exit 6' QUIT",
	    "ready\ngot QUIT\n", 6);
}

Test(client_signals, untrapped_sigterm_is_143)
{
	struct rexec_run r;

	spawn_ready(&r, TRAP_LOOP);
	cr_assert_eq(kill(r.pid, SIGTERM), 0);
	rexec_wait(&r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 143,
	    "status %#x: %s", r.status, r.err);
	rexec_run_free(&r);
}

/* Waits (bounded) until the process has exited (1) or stdout holds
 * needle n times (0); -1 on timeout.  The process is left unreaped. */
static int
exited_or_count(const struct rexec_run *r, const char *needle, int n)
{
	siginfo_t si;

	for (int waited = 0; waited < 20000; waited += 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)r->pid, &si,
		    WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
			return 1;
		if (rexec_out_count(r, needle) >= n)
			return 0;
		test_sleep_ms(10);
	}
	return -1;
}

/*
 * Each SIGINT is sent once the previous one has reached the remote trap
 * (pending signals of one kind merge into one).  Three within two seconds
 * give up; should this machine be too slow for that, more are sent, a
 * bounded number of times.
 */
Test(client_signals, third_sigint_gives_up)
{
	struct rexec_run r;
	int sent = 0, state = 0;

	spawn_ready(&r, "trap 'echo got INT' INT; " TRAP_LOOP);
	while (state == 0 && sent < 20) {
		cr_assert_eq(kill(r.pid, SIGINT), 0);
		sent++;
		state = exited_or_count(&r, "got INT\n", sent);
		cr_assert_neq(state, -1, "no reaction to SIGINT %d", sent);
	}
	rexec_wait(&r);
	cr_assert_geq(sent, 3);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255,
	    "status %#x", r.status);
	cr_assert_str_eq(r.err, "rexec: 127.0.0.1: interrupted\n");
	rexec_run_free(&r);
}

/* Waits up to ms for the process to exit, leaving it unreaped. */
static bool
exits_within(const struct rexec_run *r, int ms)
{
	siginfo_t si;

	for (int waited = 0; waited < ms; waited += 10) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)r->pid, &si,
		    WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0)
			return true;
		test_sleep_ms(10);
	}
	return false;
}

/*
 * A command that never reads its stdin while endless stdin is sent: the
 * server stops reading, so signals wait behind the data.  Giving up must
 * still end the remote command (the client resets the connection).
 */
Test(client_signals, giving_up_ends_a_command_that_ignores_stdin)
{
	struct rexec_opts o = { .stdin_file = "/dev/zero" };
	struct rexec_run r;
	char marker[64], cmd[128];
	const char *argv[] = { rexec_bin(), suite_addr, cmd, NULL };
	int sent = 0;

	snprintf(marker, sizeof(marker), "%d.%06ld", 4000 + getpid() % 1000,
	    (long)(now_ms() % 1000000));
	snprintf(cmd, sizeof(cmd), "echo ready; sleep %s", marker);
	rexec_spawn(&r, &o, argv);
	cr_assert_eq(rexec_wait_out(&r, "ready\n", 1, 20000), 0);
	/* Signals of one kind may merge: send until it gives up, bounded. */
	while (sent < 20 && !exits_within(&r, sent < 2 ? 100 : 500)) {
		cr_assert_eq(kill(r.pid, SIGINT), 0);
		sent++;
	}
	rexec_wait(&r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255,
	    "status %#x: %s", r.status, r.err);
	cr_assert_eq(proc_wait_marker_gone(marker, 15000), 0,
	    "the remote command outlived the client");
	rexec_run_free(&r);
}

/* Any process whose command line holds marker (the remote yes). */
Test(client_signals, closed_local_pipe_ends_remote_command)
{
	struct rexec_run r;
	char marker[64], cmd[PATH_MAX + 256], status_path[PATH_MAX + 16];
	char env[PATH_MAX + 8], *st;
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	const char *envv[] = { env, NULL };
	struct rexec_opts o = { .env = envv };
	int waited;

	snprintf(marker, sizeof(marker), "rexec-yes-%d-%ld", (int)getpid(),
	    (long)random());
	snprintf(status_path, sizeof(status_path), "%s/status", suite_daemon.dir);
	snprintf(env, sizeof(env), "REXEC=%s", rexec_bin());
	snprintf(cmd, sizeof(cmd), "( \"$REXEC\" %s yes %s; echo $? > %s ) "
	    "| head -1", suite_addr, marker, status_path);
	rexec_spawn(&r, &o, argv);
	rexec_wait(&r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert_eq(strncmp(r.out, marker, strlen(marker)), 0, "%s", r.out);
	cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
	st = read_file_all(status_path, NULL);
	cr_assert_str_eq(st, "141\n");
	free(st);
	for (waited = 0; waited < 20000 && proc_count_marker(marker) > 0; waited += 20)
		test_sleep_ms(20);
	cr_assert_eq(proc_count_marker(marker), 0,
	    "the remote yes is still running");
	rexec_run_free(&r);
}
