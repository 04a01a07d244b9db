/* SPDX-License-Identifier: ISC */
/* Every bad request gets the contract's error code; the daemon lives on. */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../../daemon/authlog.h"
#include "daemon_util.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;

static void
still_serving(void)
{
	struct dt_result r;
	char *log;

	dt_run(&d, "{\"cmd\": \"echo alive\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "alive\n");
	dt_result_free(&r);
	log = rexecd_log(&d);
	cr_assert_null(strstr(log, " died"), "a worker died:\n%s", log);
	free(log);
}

static void
teardown(void)
{
	cr_expect_eq(rexecd_stop(&d), 0);
}

static void
setup(void)
{
	rexecd_start(&d, "workers = 1\nrequest_timeout = 1\n", NULL);
}

TestSuite(daemon_errors, .init = setup, .fini = teardown, .timeout = 60);

/* Sends raw bytes as the whole request; expects one error frame. */
static void
expect_raw(const void *bytes, size_t len, const char *code)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	cr_assert_neq(fd, -1);
	dt_send_raw(fd, bytes, len);
	memset(&r, 0, sizeof(r));
	dt_session(fd, NULL, 0, false, 10000, &r);
	close(fd);
	cr_assert(r.got_error, "no error frame for %s", code);
	cr_assert(!r.started);
	cr_assert_str_eq(err_code_name(r.err.code), code, "message: %s",
	    r.err.message);
	cr_assert_neq(r.err.message[0], '\0');
	dt_result_free(&r);
}

static void
expect_header(const char *json, const char *code)
{
	unsigned char buf[4096];
	uint32_t n = (uint32_t)strlen(json), be = htonl(n);

	memcpy(buf, &be, 4);
	memcpy(buf + 4, json, n);
	expect_raw(buf, 4 + n, code);
}

static void
expect_exec(const char *json, const char *code, const char *message)
{
	struct dt_result r;

	dt_run(&d, json, NULL, 0, &r);
	cr_assert(r.got_error, "no error for %s", json);
	cr_assert(!r.started);
	cr_assert_str_eq(err_code_name(r.err.code), code, "%s: %s", json,
	    r.err.message);
	if (message != NULL)
		cr_assert_str_eq(r.err.message, message);
	dt_result_free(&r);
}

Test(daemon_errors, bad_frame_header_length_zero)
{
	expect_raw("\0\0\0\0", 4, "bad_frame");
	still_serving();
}

Test(daemon_errors, bad_frame_header_too_long)
{
	expect_raw("\0\1\0\1", 4, "bad_frame");
	still_serving();
}

Test(daemon_errors, bad_frame_json)
{
	expect_header("{\"type\": \"exec\", ", "bad_frame");
	expect_header("[1, 2]", "bad_frame");
	expect_header("{\"version\": 1}", "bad_frame");
	still_serving();
}

Test(daemon_errors, bad_frame_payload_too_big)
{
	expect_header("{\"type\": \"stdin\", \"len\": 1048577}", "bad_frame");
	still_serving();
}

Test(daemon_errors, bad_request_unknown_type)
{
	expect_header("{\"type\": \"bogus\"}", "bad_request");
	still_serving();
}

Test(daemon_errors, bad_request_stdin_before_exec)
{
	expect_header("{\"type\": \"stdin\", \"len\": 0}", "bad_request");
	expect_header("{\"type\": \"eof\"}", "bad_request");
	still_serving();
}

Test(daemon_errors, bad_request_exec_values)
{
	expect_exec("{}", "bad_request", NULL);
	expect_exec("{\"cmd\": \"true\", \"argv\": [\"true\"]}", "bad_request",
	    NULL);
	expect_exec("{\"argv\": []}", "bad_request", NULL);
	expect_exec("{\"cmd\": 5}", "bad_request", NULL);
	expect_exec("{\"cmd\": \"true\", \"timeout\": -1}", "bad_request",
	    NULL);
	expect_exec("{\"cmd\": \"true\", \"env\": {\"A\": 1}}", "bad_request",
	    NULL);
	still_serving();
}

Test(daemon_errors, version)
{
	expect_exec("{\"version\": 2, \"cmd\": \"true\"}", "version", NULL);
	still_serving();
}

Test(daemon_errors, spawn_missing_cwd)
{
	expect_exec("{\"cmd\": \"true\", \"cwd\": \"/nope\"}", "spawn",
	    "cannot change directory to /nope: No such file or directory");
	still_serving();
}

Test(daemon_errors, spawn_command_not_found)
{
	expect_exec("{\"argv\": [\"nope-cmd-rexecd\"]}", "spawn",
	    "nope-cmd-rexecd: command not found");
	expect_exec("{\"argv\": [\"/etc/passwd\"]}", "spawn",
	    "/etc/passwd: Permission denied");
	still_serving();
}

Test(daemon_errors, timeout_for_a_silent_connection)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	memset(&r, 0, sizeof(r));
	/* request_timeout = 1: the server answers and closes on its own. */
	dt_session(fd, NULL, 0, false, 15000, &r);
	close(fd);
	cr_assert(r.got_error);
	cr_assert_str_eq(err_code_name(r.err.code), "timeout");
	dt_result_free(&r);
	still_serving();
}

Test(daemon_errors, timeout_for_a_partial_frame)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	dt_send_raw(fd, "\0\0\0\x20{\"type\"", 11);
	memset(&r, 0, sizeof(r));
	dt_session(fd, NULL, 0, false, 15000, &r);
	close(fd);
	cr_assert(r.got_error);
	cr_assert_str_eq(err_code_name(r.err.code), "timeout");
	dt_result_free(&r);
	still_serving();
}

Test(daemon_errors, bad_frame_while_running_ends_the_command)
{
	char marker[32], json[128];
	struct dt_result r;
	int fd = rexecd_connect(&d);

	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"sleep %s & sleep %s\"}",
	    marker, marker);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	dt_send_raw(fd, "\0\0\0\0", 4);
	dt_session(fd, NULL, 0, false, 15000, &r);
	close(fd);
	cr_assert(r.got_error && !r.got_exit);
	cr_assert_str_eq(err_code_name(r.err.code), "bad_frame");
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0, "command left");
	dt_result_free(&r);
	still_serving();
}

Test(daemon_errors, second_exec_is_bad_request)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"cat\"}"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"true\"}"), 0);
	dt_session(fd, NULL, 0, false, 15000, &r);
	close(fd);
	cr_assert(r.got_error);
	cr_assert_str_eq(err_code_name(r.err.code), "bad_request");
	dt_result_free(&r);
	still_serving();
}

Test(daemon_errors, bad_signal_name)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"cat\"}"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	dt_send_raw(fd, "\0\0\0\x22{\"type\":\"signal\",\"signal\":\"BOGUS\"}",
	    4 + 0x22);
	dt_session(fd, NULL, 0, false, 15000, &r);
	close(fd);
	cr_assert(r.got_error);
	cr_assert_str_eq(err_code_name(r.err.code), "bad_request");
	dt_result_free(&r);
	still_serving();
}

/* Authentication needs its own daemons. */

static void
write_token(const char *dir, char *path, size_t len, const char *token,
    mode_t mode)
{
	int fd;

	snprintf(path, len, "%s/token", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, token, strlen(token)), (ssize_t)strlen(token));
	close(fd);
	chmod(path, mode);
}

Test(daemon_auth, token)
{
	char dir[] = "/tmp/rexecd-tok.XXXXXX", path[PATH_MAX];
	const char *extra[] = { "-T", path, NULL };
	struct dt_result r;

	cr_assert_not_null(mkdtemp(dir));
	write_token(dir, path, sizeof(path) - 8, "s3cret\n", 0600);
	rexecd_start(&d, NULL, extra);
	expect_exec("{\"cmd\": \"true\"}", "auth", NULL);
	expect_exec("{\"cmd\": \"true\", \"token\": \"wrong\"}", "auth", NULL);
	expect_exec("{\"cmd\": \"true\", \"token\": \"s3cret!\"}", "auth",
	    NULL);
	dt_run(&d, "{\"cmd\": \"echo ok\", \"token\": \"s3cret\"}", NULL, 0,
	    &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "ok\n");
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
	unlink(path);
	rmdir(dir);
}

static size_t
count_lines(const char *log, const char *needle)
{
	size_t n = 0;

	for (const char *p = log; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * A flood of bad tokens: each refusal is logged with the peer until the
 * burst is spent, the rest only counted, and the count reported once the
 * window has passed.
 */
Test(daemon_auth, refusals_are_logged_with_the_peer_but_rate_limited)
{
	char dir[] = "/tmp/rexecd-tok.XXXXXX", path[PATH_MAX], *log;
	const char *extra[] = { "-T", path, NULL };
	const int attempts = 4 * AUTHLOG_BURST;
	size_t logged;
	int found = -1;

	cr_assert_not_null(mkdtemp(dir));
	write_token(dir, path, sizeof(path) - 8, "s3cret\n", 0600);
	rexecd_start(&d, NULL, extra);
	for (int i = 0; i < attempts; i++)
		expect_exec("{\"cmd\": \"true\", \"token\": \"bad\"}", "auth",
		    NULL);
	log = rexecd_log(&d);
	logged = count_lines(log, "127.0.0.1:");
	free(log);
	/* At most two windows, should the attempts straddle a boundary. */
	cr_assert_geq(logged, 1, "refusals must be logged with the peer");
	cr_assert_leq(logged, 2 * AUTHLOG_BURST, "%zu of %d refusals logged",
	    logged, attempts);
	/* Once a window has passed, the next refusal reports the rest. */
	for (int i = 0; i < 4 * AUTHLOG_WINDOW_MS / 250 && found == -1; i++) {
		expect_exec("{\"cmd\": \"true\", \"token\": \"bad\"}", "auth",
		    NULL);
		found = rexecd_wait_log(&d, "more refused connections not "
		    "logged", 250);
	}
	cr_assert_eq(found, 0, "the suppressed refusals were never reported");
	cr_assert_eq(rexecd_stop(&d), 0);
	unlink(path);
	rmdir(dir);
}

Test(daemon_auth, allow_list_excludes_us)
{
	rexecd_start(&d, "allow = 10.0.0.0/8, fd00::/8\n", NULL);
	expect_exec("{\"cmd\": \"true\"}", "auth", NULL);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_auth, allow_list_includes_us)
{
	struct dt_result r;

	rexecd_start(&d, "allow = 10.0.0.0/8, 127.0.0.0/8\n", NULL);
	dt_run(&d, "{\"cmd\": \"echo ok\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_auth, max_startups_refuses_when_slow_clients_pile_up)
{
	struct dt_result r;
	int silent[2], got_busy = 0;

	rexecd_start(&d, "workers = 4\nmax_workers = 4\nrequest_timeout = 30\n"
	    "max_startups = 2:100:2\n", NULL);
	for (int i = 0; i < 2; i++)
		cr_assert_neq(silent[i] = rexecd_connect(&d), -1);
	/* Once they are slow (a second), newcomers are refused as busy. */
	for (int i = 0; i < 100 && !got_busy; i++) {
		dt_run(&d, "{\"cmd\": \"true\"}", NULL, 0, &r);
		got_busy = r.got_error && r.err.code == ERR_BUSY;
		cr_assert(got_busy || r.got_exit, "neither busy nor exit");
		dt_result_free(&r);
		if (!got_busy)
			test_sleep_ms(100);
	}
	cr_assert(got_busy, "never refused");
	for (int i = 0; i < 2; i++)
		close(silent[i]);
	for (int i = 0; i < 100; i++) {
		dt_run(&d, "{\"cmd\": \"true\"}", NULL, 0, &r);
		got_busy = r.got_error;
		dt_result_free(&r);
		if (!got_busy)
			break;
		test_sleep_ms(50);
	}
	cr_assert(!got_busy, "still refusing after the slow ones left");
	cr_assert_eq(rexecd_stop(&d), 0);
}
