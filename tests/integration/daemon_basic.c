/* SPDX-License-Identifier: ISC */
/* rexecd runs commands and streams their bytes exactly. */
#include <sys/types.h>

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "fdio.h"
#include "frameio.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

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

TestSuite(daemon_basic, .init = setup, .fini = teardown, .timeout = 60);

Test(daemon_basic, shell_mode)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"echo out; echo err >&2; exit 3\"}", NULL, 0,
	    &r);
	cr_assert(r.started && r.pid > 0);
	cr_assert(r.got_exit, "no exit frame");
	cr_assert(r.st.exited);
	cr_assert_eq(r.st.code, 3);
	cr_assert(!r.st.timed_out);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_str_eq(r.errout, "err\n");
	dt_result_free(&r);
}

Test(daemon_basic, argv_mode_has_no_shell)
{
	struct dt_result r;

	dt_run(&d, "{\"argv\": [\"printf\", \"%s|\", \"a  b\", \"$HOME\", "
	    "\"*\"]}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0);
	cr_assert_str_eq(r.out, "a  b|$HOME|*|");
	dt_result_free(&r);
}

Test(daemon_basic, binary_output_with_nuls)
{
	static const char want[] = "a\0b\377\0\n\0";
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"printf 'a\\\\000b\\\\377\\\\000\\\\n\\\\000'\"}",
	    NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_eq(r.out_len, sizeof(want) - 1);
	cr_assert_arr_eq(r.out, want, sizeof(want) - 1);
	dt_result_free(&r);
}

Test(daemon_basic, every_byte_value_round_trips)
{
	size_t len = 3 * 1024 * 1024 + 17;
	unsigned char *in = malloc(len);
	struct dt_result r;

	for (size_t i = 0; i < len; i++)
		in[i] = (unsigned char)(i * 7 + i / 251);
	dt_run(&d, "{\"argv\": [\"cat\"]}", in, len, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_eq(r.out_len, len);
	cr_assert_arr_eq(r.out, in, len);
	free(in);
	dt_result_free(&r);
}

Test(daemon_basic, env_and_cwd)
{
	struct passwd *pw = getpwuid(geteuid());
	char want[512];
	struct dt_result r;

	cr_assert_not_null(pw);
	dt_run(&d, "{\"cmd\": \"printf '%s|%s|%s|%s' \\\"$FOO\\\" \\\"$(pwd)\\\" "
	    "\\\"$USER\\\" \\\"$LOGNAME\\\"\", \"env\": {\"FOO\": \"bar baz\"}, "
	    "\"cwd\": \"/tmp\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0, "%s", r.errout);
	snprintf(want, sizeof(want), "bar baz|/tmp|%s|%s", pw->pw_name,
	    pw->pw_name);
	cr_assert_str_eq(r.out, want);
	dt_result_free(&r);
}

Test(daemon_basic, default_cwd_is_home_and_env_is_clean)
{
	struct passwd *pw = getpwuid(geteuid());
	char want[512];
	struct dt_result r;

	setenv("REXECD_TEST_LEAK", "1", 1);
	dt_run(&d, "{\"cmd\": \"pwd; echo \\\"$HOME\\\"; "
	    "echo \\\"[$REXECD_TEST_LEAK]\\\"\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	snprintf(want, sizeof(want), "%s\n%s\n[]\n", pw->pw_dir, pw->pw_dir);
	cr_assert_str_eq(r.out, want);
	dt_result_free(&r);
}

Test(daemon_basic, only_fds_0_1_2_are_open)
{
	struct dt_result r;

	dt_run(&d, "{\"argv\": [\"ls\", \"/proc/self/fd\"]}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	/* ls itself opens one more descriptor for the directory. */
	cr_assert_str_eq(r.out, "0\n1\n2\n3\n");
	dt_result_free(&r);
}

Test(daemon_basic, exit_codes_and_signals)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"exit 255\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 255);
	dt_result_free(&r);
	dt_run(&d, "{\"cmd\": \"kill -TERM $$\"}", NULL, 0, &r);
	cr_assert(r.got_exit && !r.st.exited);
	cr_assert_eq(r.st.signal, SIGTERM);
	dt_result_free(&r);
	dt_run(&d, "{\"cmd\": \"kill -KILL $$\"}", NULL, 0, &r);
	cr_assert(r.got_exit && !r.st.exited && r.st.signal == SIGKILL);
	dt_result_free(&r);
}

Test(daemon_basic, signame_on_the_wire)
{
	char buf[256];
	struct dt_result r;
	int fd = rexecd_connect(&d);
	ssize_t n;

	/* The parsed struct hides signame: look at the raw exit frame. */
	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"kill -QUIT $$\", "
	    "\"stdin\": false}"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	n = read_full(fd, buf, sizeof(buf) - 1);
	cr_assert_gt(n, 4);
	buf[n] = '\0';
	cr_assert_not_null(memmem(buf, (size_t)n, "\"signame\":\"QUIT\"", 16),
	    "%s", buf + 4);
	close(fd);
	dt_result_free(&r);
}

Test(daemon_basic, stdin_false_is_dev_null)
{
	struct dt_result r;
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"wc -c; readlink "
	    "/proc/self/fd/0\", \"stdin\": false}"), 0);
	memset(&r, 0, sizeof(r));
	/* No eof frame: with stdin false the command must not wait for it. */
	dt_session(fd, NULL, 0, false, 20000, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "0\n/dev/null\n");
	close(fd);
	dt_result_free(&r);
}

Test(daemon_basic, large_stream_counted_exactly, .timeout = 120)
{
	const uint64_t size = 256ULL * 1024 * 1024;
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"head -c 268435456 /dev/zero; echo end >&2\"}",
	    NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_eq(r.out_total, size, "got %llu bytes",
	    (unsigned long long)r.out_total);
	cr_assert_str_eq(r.errout, "end\n");
	dt_result_free(&r);
}

Test(daemon_basic, stdin_16mib_through_cat_checksummed, .timeout = 120)
{
	size_t len = 16 * 1024 * 1024;
	unsigned char *in = malloc(len);
	uint64_t x = 88172645463325252ULL;
	struct dt_result r;

	for (size_t i = 0; i < len; i += 8) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		memcpy(in + i, &x, 8);
	}
	dt_run(&d, "{\"argv\": [\"cat\"]}", in, len, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_eq(r.out_total, len);
	cr_assert_eq(r.out_hash, test_fnv(TEST_FNV_INIT, in, len));
	free(in);
	dt_result_free(&r);
}

Test(daemon_basic, stdin_16mib_to_a_file_byte_exact, .timeout = 120)
{
	size_t len = 16 * 1024 * 1024 + 3;
	unsigned char *in = malloc(len), *back = malloc(len);
	char json[PATH_MAX + 128], path[PATH_MAX + 16];
	struct dt_result r;
	int fd;

	for (size_t i = 0; i < len; i++)
		in[i] = (unsigned char)((i * 2654435761u) >> 13);
	snprintf(path, sizeof(path), "%s/stdin.bin", d.dir);
	snprintf(json, sizeof(json), "{\"argv\": [\"sh\", \"-c\", "
	    "\"cat > %s\"]}", path);
	dt_run(&d, json, in, len, &r);
	cr_assert(r.got_exit && r.st.code == 0, "%s", r.errout);
	fd = open(path, O_RDONLY);
	cr_assert_neq(fd, -1);
	cr_assert_eq(read_full(fd, back, len), (ssize_t)len);
	close(fd);
	cr_assert_arr_eq(back, in, len);
	free(in);
	free(back);
	dt_result_free(&r);
}

Test(daemon_basic, command_ignoring_stdin_does_not_hang)
{
	size_t len = 8 * 1024 * 1024;
	unsigned char *in = calloc(1, len);
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"echo done\"}", in, len, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "done\n");
	free(in);
	dt_result_free(&r);
}

Test(daemon_basic, background_holding_stdout_keeps_session)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"(sleep 0.3; echo late) & echo early\"}", NULL,
	    0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "early\nlate\n");
	dt_result_free(&r);
}

Test(daemon_basic, redirected_background_does_not_keep_session)
{
	char marker[32], json[256];
	struct dt_result r;

	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"sleep %s >/dev/null 2>&1 & "
	    "echo quick\"}", marker);
	dt_run(&d, json, NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "quick\n");
	/* Not ours to end (ssh semantics): it is still running. */
	int n = 0;
	for (int i = 0; i < 250 && (n = (int)proc_count_marker(marker)) != 1; i++)
		test_sleep_ms(20);
	(void)proc_kill_marker(marker, SIGKILL);
	cr_assert_eq(n, 1);
	dt_result_free(&r);
}

Test(daemon_basic, signal_frame_reaches_the_group)
{
	struct dt_result r;
	json_t *sig = msg_signal(SIGINT);
	int fd = rexecd_connect(&d);

	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"trap 'echo got; exit 7' "
	    "INT; echo ready; while :; do sleep 0.05; done\"}"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "stdout", 10000, &r), 0);
	cr_assert_str_eq(r.out, "ready\n");
	cr_assert_eq(msg_send(fd, sig), 0);
	dt_session(fd, NULL, 0, false, 20000, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 7);
	cr_assert_str_eq(r.out, "ready\ngot\n");
	close(fd);
	dt_result_free(&r);
}

Test(daemon_basic, many_requests_in_a_row)
{
	for (int i = 0; i < 50; i++) {
		struct dt_result r;
		char json[64], want[16];

		snprintf(json, sizeof(json), "{\"cmd\": \"echo %d\"}", i);
		snprintf(want, sizeof(want), "%d\n", i);
		dt_run(&d, json, NULL, 0, &r);
		cr_assert(r.got_exit && r.st.code == 0);
		cr_assert_str_eq(r.out, want);
		dt_result_free(&r);
	}
}
