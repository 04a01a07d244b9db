/* SPDX-License-Identifier: ISC */
/*
 * rexecd's pseudo-terminals, spoken to directly (no client): the command
 * runs on a pty of the requested size and type, output is merged, eof is
 * the terminal's ^D, what is left on the terminal is hung up, and
 * allow_pty = no refuses.  The client's side is in client_pty.c.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <pwd.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clock.h"
#include "daemon_util.h"
#include "frameio.h"
#include "message.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

#define PTY(extra)	"\"pty\": {\"term\": \"xterm-test\", \"rows\": 33, " \
			"\"cols\": 101}" extra

static struct rexecd_proc d;

static void
setup(void)
{
	rexecd_start(&d, "workers = 2\n", NULL);
}

static void
teardown(void)
{
	char *log = rexecd_log(&d);

	cr_expect_null(strstr(log, " died"), "a worker died:\n%s", log);
	free(log);
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
}

TestSuite(daemon_pty, .init = setup, .fini = teardown, .timeout = 60);

/* Runs cmd on a pty with stdin in (may be NULL), eof sent after it. */
static void
run_pty(const char *cmd, const char *in, struct dt_result *r)
{
	char *json;

	cr_assert_neq(asprintf(&json, "{\"cmd\": \"%s\", " PTY("}"), cmd),
	    -1);
	dt_run(&d, json, in, in != NULL ? strlen(in) : 0, r);
	free(json);
	cr_assert(r->started, "not started: %s", r->err.message);
	cr_assert(r->got_exit, "no exit frame");
}

Test(daemon_pty, terminal_size_type_merged)
{
	struct dt_result r;

	run_pty("tty; stty size; echo $TERM; echo err >&2; exit 7", NULL, &r);
	cr_assert(r.st.exited && r.st.code == 7);
	cr_assert_not_null(strstr(r.out, "/dev/pts/"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "33 101\r\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "xterm-test\r\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "err\r\n"), "%s", r.out);
	cr_assert_eq(r.errout_len, 0, "stderr frames on a pty: %s",
	    r.errout);
	dt_result_free(&r);
}

Test(daemon_pty, started_says_pty)
{
	int fd = rexecd_connect(&d);
	struct dt_result r = { 0 };

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"true\", " PTY("}")), 0);
	cr_assert_eq(dt_read_until(fd, "exit", 10000, &r), 0);
	cr_assert(r.started);
	close(fd);
	dt_result_free(&r);
}

Test(daemon_pty, stdin_is_typed_and_eof_is_ctrl_d)
{
	struct dt_result r;

	/* cat ends at ^D on an empty line; the line was echoed. */
	run_pty("cat; echo done", "hello\n", &r);
	cr_assert(r.st.exited && r.st.code == 0, "code %d", r.st.code);
	cr_assert_not_null(strstr(r.out, "hello\r\nhello\r\n"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "done\r\n"), "%s", r.out);
	dt_result_free(&r);
}

Test(daemon_pty, background_job_is_hung_up)
{
	char marker[32], cmd[256];
	struct dt_result r;

	dt_marker(marker, sizeof(marker));
	/* The job keeps the terminal open: the session still ends. */
	snprintf(cmd, sizeof(cmd), "sleep %s & echo started", marker);
	run_pty(cmd, NULL, &r);
	cr_assert(r.st.exited && r.st.code == 0);
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0,
	    "the background job survived the session");
	dt_result_free(&r);
}

Test(daemon_pty, login_shell)
{
	struct dt_result r;

	dt_run(&d, "{\"login\": true, " PTY("}"), "echo \"zero=$0\"; pwd; "
	    "exit 5\n", strlen("echo \"zero=$0\"; pwd; exit 5\n"), &r);
	cr_assert(r.got_exit, "no exit: %s", r.err.message);
	cr_assert_eq(r.st.code, 5, "%s", r.out);
	cr_assert_not_null(strstr(r.out, "zero=-"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, getpwuid(geteuid())->pw_dir), "%s",
	    r.out);
	dt_result_free(&r);
}

Test(daemon_pty, login_without_pty_reads_the_script)
{
	struct dt_result r;
	const char *script = "echo \"zero=$0\"; exit 4\n";

	dt_run(&d, "{\"login\": true}", script, strlen(script), &r);
	cr_assert(r.got_exit, "no exit: %s", r.err.message);
	cr_assert_eq(r.st.code, 4);
	cr_assert_not_null(strstr(r.out, "zero=-"), "%s", r.out);
	dt_result_free(&r);
}

Test(daemon_pty, winsize_frame_resizes)
{
	struct winsize_req w = { 11, 22 };
	struct dt_result r = { 0 };
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"trap 'stty size' WINCH; "
	    "echo ready; read x\", " PTY("}")), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	cr_assert_eq(dt_read_until(fd, "stdout", 10000, &r), 0);
	cr_assert_eq(msg_send(fd, msg_winsize(&w)), 0);
	dt_session(fd, "x\n", 2, true, 20000, &r);
	cr_assert(r.got_exit);
	cr_assert_not_null(strstr(r.out, "11 22\r\n"), "%s", r.out);
	close(fd);
	dt_result_free(&r);
}

Test(daemon_pty, winsize_without_pty_is_bad_request)
{
	struct winsize_req w = { 11, 22 };
	struct dt_result r = { 0 };
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"sleep 5\"}"), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	cr_assert_eq(msg_send(fd, msg_winsize(&w)), 0);
	dt_session(fd, NULL, 0, false, 20000, &r);
	cr_assert(r.got_error);
	cr_assert_eq(r.err.code, ERR_BAD_REQUEST);
	close(fd);
	dt_result_free(&r);
}

Test(daemon_pty, signal_reaches_the_foreground_job)
{
	struct dt_result r = { 0 };
	int fd = rexecd_connect(&d);
	char marker[32], line[64];
	long long deadline = now_ms() + 10000;

	dt_marker(marker, sizeof(marker));
	/* On its own line: an interrupted line is not run further. */
	snprintf(line, sizeof(line), "sleep %s\n", marker);
	/* An interactive shell ignores INT itself; its job does not. */
	cr_assert_eq(dt_send_exec(fd, "{\"argv\": [\"sh\", \"-i\"], "
	    PTY("}")), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	cr_assert_eq(frame_write_data(fd, FRAME_STDIN, line, strlen(line)),
	    0);
	while (proc_count_marker(marker) == 0 && now_ms() < deadline)
		test_sleep_ms(20);
	cr_assert_gt(proc_count_marker(marker), 0, "sleep never started");
	cr_assert_eq(msg_send(fd, msg_signal(SIGINT)), 0);
	cr_assert_eq(frame_write_data(fd, FRAME_STDIN, "echo st=$?; exit\n",
	    17), 0);
	cr_assert_eq(dt_read_until(fd, "exit", 20000, &r), 0, "no exit; "
	    "the terminal showed:\n%s", r.out);
	cr_assert_not_null(strstr(r.out, "st=130"), "%s", r.out);
	close(fd);
	dt_result_free(&r);
}

Test(daemon_pty, refused_by_allow_pty_no)
{
	struct rexecd_proc d2;
	struct dt_result r;

	rexecd_start(&d2, "allow_pty = no\n", NULL);
	dt_run(&d2, "{\"cmd\": \"tty\", " PTY("}"), NULL, 0, &r);
	cr_assert(r.got_error && !r.started);
	cr_assert_eq(r.err.code, ERR_AUTH);
	dt_result_free(&r);
	dt_run(&d2, "{\"login\": true}", NULL, 0, &r);
	cr_assert(r.got_error && !r.started);
	cr_assert_eq(r.err.code, ERR_AUTH);
	dt_result_free(&r);
	dt_run(&d2, "{\"cmd\": \"echo ok\"}", NULL, 0, &r);
	cr_assert(r.got_exit);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d2), 0);
}
