/* SPDX-License-Identifier: ISC */
/* Subsystems: "exec" names one the configuration defines (files.md). */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "frameio.h"

#include "daemon_util.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;

static void
setup(void)
{
	rexecd_start(&d, "workers = 1\n"
	    "subsystem = upper tr a-z A-Z\n"
	    "subsystem = show echo \"$0\" \"$REXEC_CONNECTION\" x\n"
	    "subsystem = show echo replaced \"$0\"\n", NULL);
}

static void
teardown(void)
{
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
}

TestSuite(daemon_subsys, .init = setup, .fini = teardown, .timeout = 60);

Test(daemon_subsys, runs_the_configured_command_with_stdin)
{
	struct dt_result r;

	dt_run(&d, "{\"subsystem\": \"upper\"}", "abc\n", 4, &r);
	cr_assert(r.started, "not started: %s", r.err.message);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.errout);
	cr_assert_str_eq(r.out, "ABC\n");
	dt_result_free(&r);
}

/* By the account's shell, as sshd; a later line replaces the earlier. */
Test(daemon_subsys, by_the_accounts_shell_later_line_wins)
{
	struct dt_result r;

	dt_run(&d, "{\"subsystem\": \"show\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0, "%s", r.errout);
	cr_assert_eq(strncmp(r.out, "replaced ", 9), 0, "%s", r.out);
	cr_assert_null(strchr(r.out + 9, '/'), "argv[0] not a name: %s",
	    r.out);
	cr_assert_neq(r.out[9], '-', "a login shell: %s", r.out);
	dt_result_free(&r);
}

Test(daemon_subsys, unknown_name_is_a_spawn_error)
{
	struct dt_result r;

	dt_run(&d, "{\"subsystem\": \"nope\"}", NULL, 0, &r);
	cr_assert(r.got_error, "no error frame");
	cr_assert_not(r.started);
	cr_assert_eq(r.err.code, ERR_SPAWN);
	cr_assert_str_eq(r.err.message, "no subsystem nope");
	dt_result_free(&r);
}

Test(daemon_subsys, bad_requests)
{
	static const char *const bad[] = {
		"{\"subsystem\": \"upper\", \"pty\": {\"rows\": 24, "
		    "\"cols\": 80, \"term\": \"xterm\"}}",
		"{\"subsystem\": \"upper\", \"cmd\": \"true\"}",
		"{\"subsystem\": \"upper\", \"argv\": [\"true\"]}",
		"{\"subsystem\": \"upper\", \"login\": true}",
		"{\"subsystem\": \"\"}",
		"{\"subsystem\": \"a/b\"}",
		"{\"subsystem\": 3}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dt_result r;

		dt_run(&d, bad[i], NULL, 0, &r);
		cr_assert(r.got_error, "no error frame for %s", bad[i]);
		cr_assert_eq(r.err.code, ERR_BAD_REQUEST, "%s: %s", bad[i],
		    r.err.message);
		dt_result_free(&r);
	}
}

/* The default sftp: OpenSSH's server answers SSH_FXP_INIT.  Its stdin
 * stays open until the answer came: sftp-server exits at EOF without
 * flushing what it has not yet written. */
Test(daemon_subsys, default_sftp_answers_init)
{
	static const unsigned char init[] = { 0, 0, 0, 5, 1, 0, 0, 0, 3 };
	struct dt_result r;
	json_t *h;
	int fd;

	if (access("/usr/lib/openssh/sftp-server", X_OK) != 0 &&
	    access("/usr/libexec/openssh/sftp-server", X_OK) != 0 &&
	    access("/usr/libexec/sftp-server", X_OK) != 0)
		cr_skip_test("no sftp-server (openssh-sftp-server)");
	fd = rexecd_connect(&d);
	cr_assert_neq(fd, -1);
	cr_assert_eq(dt_send_exec(fd, "{\"subsystem\": \"sftp\"}"), 0);
	h = json_pack("{s:s}", "type", "stdin");
	cr_assert_eq(frame_write_json(fd, h, init, sizeof(init)), 0);
	json_decref(h);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "stdout", 30000, &r), 0,
	    "no output: %s %s", r.err.message, r.errout ? r.errout : "");
	cr_assert(r.started);
	cr_assert_geq(r.out_len, 9, "short SSH_FXP_VERSION");
	cr_assert_eq((unsigned char)r.out[4], 2, "not SSH_FXP_VERSION");
	close(fd);
	dt_result_free(&r);
}
