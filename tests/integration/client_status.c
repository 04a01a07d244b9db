/* SPDX-License-Identifier: ISC */
/* rexec exits with the remote command's status, as if it ran here. */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"

TestSuite(client_status, .init = suite_daemon_start, .fini = suite_daemon_stop);

static int
run_status(const char *cmd)
{
	struct rexec_run r;
	int code;

	rexec_run(&r, NULL, suite_addr, cmd, NULL);
	cr_assert(WIFEXITED(r.status), "%s: status %#x", cmd, r.status);
	code = WEXITSTATUS(r.status);
	cr_assert_eq(r.err_len, 0, "%s: stderr '%s'", cmd, r.err);
	rexec_run_free(&r);
	return code;
}

Test(client_status, exit_codes)
{
	cr_assert_eq(run_status("true"), 0);
	cr_assert_eq(run_status("exit 1"), 1);
	cr_assert_eq(run_status("exit 42"), 42);
	/* A remote 255 looks like rexec's own failure, but without a line. */
	cr_assert_eq(run_status("exit 255"), 255);
}

Test(client_status, killed_by_signal_is_128_plus_n)
{
	cr_assert_eq(run_status("kill -9 $$"), 128 + SIGKILL);
	cr_assert_eq(run_status("kill -TERM $$"), 128 + SIGTERM);
}

Test(client_status, output_then_status)
{
	struct rexec_run r;

	rexec_run(&r, NULL, suite_addr, "echo out; echo err >&2; exit 7", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7);
	cr_assert_str_eq(r.out, "out\n");
	cr_assert_str_eq(r.err, "err\n");
	rexec_run_free(&r);
}

Test(client_status, timeout_ends_command_with_term)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "-t", "0.5", suite_addr, "echo before; sleep 60", NULL);
	cr_assert(WIFEXITED(r.status), "status %#x", r.status);
	cr_assert_eq(WEXITSTATUS(r.status), 128 + SIGTERM, "exit %d: %s",
	    WEXITSTATUS(r.status), r.err);
	cr_assert_str_eq(r.out, "before\n");
	rexec_run_free(&r);
}
