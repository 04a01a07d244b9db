/* SPDX-License-Identifier: ISC */
/*
 * Interactive sessions through the real client, driven on a pseudo-
 * terminal as a user would (issue 13): the remote command's terminal,
 * its size and type, ^C, escapes, the login shell, and the local
 * terminal's settings restored on every way out.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clock.h"
#include "daemon_util.h"
#include "proc_scan.h"
#include "pty_run.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define WAIT_MS		20000

TestSuite(client_pty, .init = suite_daemon_start,
    .fini = suite_daemon_stop, .timeout = 90);

/* rexec [words...] ADDR [command] on a pty of 30 x 100, TERM xterm-test. */
static void
start(struct pty_run *p, const char *opt, const char *cmd)
{
	struct pty_opts o = { .rows = 30, .cols = 100, .term = "xterm-test" };
	const char *argv[6];
	int n = 0;

	argv[n++] = rexec_bin();
	if (opt != NULL)
		argv[n++] = opt;
	argv[n++] = suite_addr;
	if (cmd != NULL)
		argv[n++] = cmd;
	argv[n] = NULL;
	pty_spawn(p, &o, argv);
}

static void
expect(struct pty_run *p, const char *needle)
{
	cr_assert_eq(pty_expect(p, needle, WAIT_MS), 0,
	    "never showed \"%s\"; it showed:\n%s", needle, p->out);
}

/* Waits for the exit; checks the status and the terminal's settings. */
static void
ends_with(struct pty_run *p, int code)
{
	int st = pty_wait(p, WAIT_MS);

	cr_assert(WIFEXITED(st), "status %#x", st);
	cr_assert_eq(WEXITSTATUS(st), code, "exit %d; it showed:\n%s",
	    WEXITSTATUS(st), p->out);
	cr_assert(pty_settings_unchanged(p),
	    "the terminal's settings changed");
}

/* A process with marker in its command line runs (bounded wait). */
static void
wait_marker(struct pty_run *p, const char *marker)
{
	long long deadline = now_ms() + WAIT_MS;

	while (proc_count_marker(marker) == 0 && now_ms() < deadline)
		(void)pty_expect(p, "\001", 20);
	cr_assert_gt(proc_count_marker(marker), 0, "%s never ran; the "
	    "terminal showed:\n%s", marker, p->out);
}

Test(client_pty, login_shell_on_a_terminal)
{
	struct pty_run p;

	start(&p, NULL, NULL);
	pty_type(&p, "tty; stty size; echo \"T=$TERM Z=$0\"; exit 7\r");
	expect(&p, "/dev/pts/");
	expect(&p, "30 100\r\n");
	expect(&p, "T=xterm-test Z=-");
	ends_with(&p, 7);
	pty_free(&p);
}

Test(client_pty, term_unset_is_dumb)
{
	struct pty_opts o = { .term = NULL };
	const char *argv[] = { rexec_bin(), "-P", suite_addr,
	    "echo \"T=$TERM\"; stty size", NULL };
	struct pty_run p;

	pty_spawn(&p, &o, argv);
	expect(&p, "T=dumb\r\n24 80\r\n");
	ends_with(&p, 0);
	pty_free(&p);
}

Test(client_pty, resize_reaches_the_command)
{
	struct pty_run p;

	start(&p, "-P", "trap 'echo \"W=$(stty size)\"' WINCH; echo ready; "
	    "while :; do sleep 0.05; done");
	expect(&p, "ready");
	pty_resize(&p, 40, 120);
	expect(&p, "W=40 120");
	/* ^C, typed, is the remote terminal's: it ends the loop. */
	pty_type(&p, "\003");
	ends_with(&p, 130);
	pty_free(&p);
}

Test(client_pty, ctrl_c_ends_the_foreground_job)
{
	char marker[32], line[64];
	struct pty_run p;

	dt_marker(marker, sizeof(marker));
	start(&p, NULL, NULL);
	snprintf(line, sizeof(line), "sleep %s\r", marker);
	pty_type(&p, line);
	wait_marker(&p, marker);
	pty_type(&p, "\003");
	cr_assert_eq(proc_wait_marker_gone(marker, WAIT_MS), 0);
	pty_type(&p, "echo \"st=$?\"; exit\r");
	expect(&p, "st=130");
	ends_with(&p, 0);
	pty_free(&p);
}

Test(client_pty, stderr_arrives_merged)
{
	struct pty_opts o = { .term = "vt100", .err_path = NULL };
	char err_path[PATH_MAX + 16], *err;
	const char *argv[] = { rexec_bin(), "-P", suite_addr,
	    "echo out; echo err >&2", NULL };
	struct pty_run p;
	size_t len;

	snprintf(err_path, sizeof(err_path), "%s/stderr", suite_daemon.dir);
	o.err_path = err_path;
	pty_spawn(&p, &o, argv);
	expect(&p, "out\r\nerr\r\n");
	ends_with(&p, 0);
	err = read_file_all(err_path, &len);
	cr_assert_not_null(err);
	cr_assert_eq(len, 0, "rexec's stderr: %s", err);
	free(err);
	unlink(err_path);
	pty_free(&p);
}

Test(client_pty, restored_after_sigterm)
{
	struct pty_run p;

	start(&p, "-P", "echo ready; sleep 60");
	expect(&p, "ready");
	cr_assert_eq(kill(p.pid, SIGTERM), 0);
	ends_with(&p, 128 + SIGTERM);
	pty_free(&p);
}

Test(client_pty, restored_after_the_daemon_is_killed)
{
	struct rexecd_proc d;
	struct pty_opts o = { .term = "vt100" };
	char addr[64];
	const char *argv[] = { rexec_bin(), "-P", addr, "echo ready; "
	    "sleep 60", NULL };
	struct pty_run p;
	pid_t w[16];
	char *line;
	int n;

	rexecd_start(&d, "workers = 1\n", NULL);
	rexec_addr(addr, sizeof(addr), &d);
	pty_spawn(&p, &o, argv);
	expect(&p, "ready");
	n = dt_workers(d.pid, NULL, w, 16);
	cr_assert_gt(n, 0);
	kill(d.pid, SIGKILL);
	for (int i = 0; i < n; i++)
		kill(w[i], SIGKILL);
	ends_with(&p, 255);
	line = strstr(p.out, "rexec: 127.0.0.1: connection lost");
	cr_assert_not_null(line, "%s", p.out);
	line = strchr(line, '\n');
	cr_assert(line != NULL && line[-1] == '\r', "printed in raw mode: "
	    "%s", p.out);
	pty_free(&p);
	rexecd_stop(&d);
}

Test(client_pty, tilde_dot_disconnects_and_ends_the_command)
{
	char marker[32], line[64];
	struct pty_run p;

	dt_marker(marker, sizeof(marker));
	start(&p, NULL, NULL);
	snprintf(line, sizeof(line), "sleep %s\r", marker);
	pty_type(&p, line);
	wait_marker(&p, marker);
	pty_type(&p, "\r~.");
	ends_with(&p, 255);
	/* Printed once the terminal is back to normal: its \n is \r\n. */
	cr_assert_not_null(strstr(p.out, "rexec: 127.0.0.1: disconnected "
	    "(~.)\r\n"), "%s", p.out);
	cr_assert_eq(proc_wait_marker_gone(marker, WAIT_MS), 0,
	    "the remote command survived ~.");
	pty_free(&p);
}

Test(client_pty, tilde_tilde_sends_one)
{
	struct pty_run p;

	start(&p, "-P", "echo ready; cat");
	/* Typed ahead, it would be echoed by the local terminal too. */
	expect(&p, "ready\r\n");
	/* Echoed by the remote terminal, then by cat: one ~ each time. */
	pty_type(&p, "~~z\r");
	expect(&p, "~z\r\n~z\r\n");
	/* Not at a line's start: as typed. */
	pty_type(&p, "a~~b\r");
	expect(&p, "a~~b\r\na~~b\r\n");
	pty_type(&p, "\004");
	ends_with(&p, 0);
	pty_free(&p);
}

Test(client_pty, background_job_is_gone_after_the_session)
{
	char marker[32], line[64];
	struct pty_run p;

	dt_marker(marker, sizeof(marker));
	start(&p, NULL, NULL);
	snprintf(line, sizeof(line), "sleep %s &\r", marker);
	pty_type(&p, line);
	wait_marker(&p, marker);
	pty_type(&p, "exit 3\r");
	ends_with(&p, 3);
	cr_assert_eq(proc_wait_marker_gone(marker, WAIT_MS), 0,
	    "the background job survived the session");
	pty_free(&p);
}

Test(client_pty, no_pty_means_none)
{
	struct pty_run p;

	start(&p, "--no-pty", "tty; echo done");
	expect(&p, "not a tty");
	expect(&p, "done");
	ends_with(&p, 0);
	pty_free(&p);
}

Test(client_pty, piped_data_with_a_pty_finishes)
{
	struct rexec_opts o = { .stdin_text = "data\n" };
	struct rexec_run r;

	rexec_run(&r, &o, "-P", suite_addr, "cat", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	/* Echoed by the remote terminal, then written by cat. */
	cr_assert_str_eq(r.out, "data\r\ndata\r\n");
	rexec_run_free(&r);
}

Test(client_pty, login_shell_reads_a_script_without_a_terminal)
{
	struct rexec_opts o = { .stdin_text = "echo \"z=$0\"; tty; exit 4\n" };
	struct rexec_run r;

	rexec_run(&r, &o, suite_addr, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 4,
	    "status %#x: %s", r.status, r.err);
	cr_assert_not_null(strstr(r.out, "z=-"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "not a tty"), "%s", r.out);
	rexec_run_free(&r);
}

Test(client_pty, refused_with_allow_pty_no)
{
	struct rexecd_proc d;
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, "allow_pty = no\n", NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-P", addr, "tty", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: authentication refused: ",
	    "allow_pty");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

/* Fleet mode (fleet.md): a terminal on stdin is not broadcast; each
 * command reads /dev/null, so "wc -c" ends at once, counting nothing. */
Test(client_pty, fleet_mode_does_not_forward_a_terminal)
{
	struct pty_run p;
	const char *argv[] = { rexec_bin(), "-w", suite_addr, "wc -c", NULL };

	pty_spawn(&p, NULL, argv);
	expect(&p, ": 0");
	ends_with(&p, 0);
	pty_free(&p);
}
