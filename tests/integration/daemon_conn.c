/* SPDX-License-Identifier: ISC */
/* Every command learns its connection (REXEC_CONNECTION); "shell" runs
 * cmd by the account's shell and sets sshd's two variables (files.md). */
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;

static void
setup(void)
{
	rexecd_start(&d, "workers = 1\n", NULL);
}

static void
teardown(void)
{
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
}

TestSuite(daemon_conn, .init = setup, .fini = teardown, .timeout = 60);

/* "client_ip client_port server_ip server_port" on loopback, the server
 * port the daemon's. */
static void
assert_connection(const char *line)
{
	char cip[64], sip[64];
	int cport, sport, n = 0;

	cr_assert_eq(sscanf(line, "%63s %d %63s %d%n", cip, &cport, sip,
	    &sport, &n), 4, "not a connection: '%s'", line);
	cr_assert_eq(line[n], '\0', "more than four words: '%s'", line);
	cr_assert_str_eq(cip, "127.0.0.1");
	cr_assert_str_eq(sip, "127.0.0.1");
	cr_assert(cport > 0 && cport < 65536);
	cr_assert_eq(sport, d.port);
}

/* The first line of s, NUL-terminated in place; the rest after it. */
static char *
line_of(char **s)
{
	char *l = *s, *nl = strchr(l, '\n');

	cr_assert_not_null(nl, "no more lines in '%s'", l);
	*nl = '\0';
	*s = nl + 1;
	return l;
}

Test(daemon_conn, every_command_has_rexec_connection)
{
	struct dt_result r;
	char *p;

	dt_run(&d, "{\"argv\": [\"sh\", \"-c\", \"printf '%s\\\\n' "
	    "\\\"$REXEC_CONNECTION\\\" \\\"${SSH_CONNECTION-unset}\\\" "
	    "\\\"${SSH_CLIENT-unset}\\\"\"]}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.errout);
	p = r.out;
	assert_connection(line_of(&p));
	cr_assert_str_eq(line_of(&p), "unset", "SSH_CONNECTION without shell");
	cr_assert_str_eq(line_of(&p), "unset", "SSH_CLIENT without shell");
	dt_result_free(&r);
}

Test(daemon_conn, the_client_cannot_replace_it)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"echo \\\"$REXEC_CONNECTION\\\"\", \"env\": "
	    "{\"REXEC_CONNECTION\": \"6.6.6.6 1 6.6.6.6 2\"}}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_not_null(strchr(r.out, '\n'));
	*strchr(r.out, '\n') = '\0';
	assert_connection(r.out);
	dt_result_free(&r);
}

/* Which program the command's shell is, by /proc. */
#define SHOW_SHELL "readlink /proc/$$/exe; echo \\\"$0\\\"; " \
	"readlink -f \\\"$SHELL\\\"; echo \\\"$REXEC_CONNECTION\\\"; " \
	"echo \\\"${SSH_CONNECTION-unset}\\\"; echo \\\"${SSH_CLIENT-unset}\\\""

Test(daemon_conn, shell_runs_the_accounts_shell_as_sshd)
{
	struct dt_result r;
	char *p, *exe, *arg0, *shell, *conn, *want_client;
	char cip[64], sip[64];
	int cport, sport;

	dt_run(&d, "{\"cmd\": \"" SHOW_SHELL "\", \"shell\": true}", NULL, 0,
	    &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.errout);
	p = r.out;
	exe = line_of(&p);
	arg0 = line_of(&p);
	shell = line_of(&p);
	cr_assert_str_eq(exe, shell, "not the account's shell");
	cr_assert_null(strchr(arg0, '/'), "argv[0] '%s' is not a name",
	    arg0);
	cr_assert_neq(arg0[0], '-', "a login shell: '%s'", arg0);
	conn = line_of(&p);
	assert_connection(conn);
	cr_assert_str_eq(line_of(&p), conn, "SSH_CONNECTION");
	sscanf(conn, "%63s %d %63s %d", cip, &cport, sip, &sport);
	cr_assert(asprintf(&want_client, "%s %d %d", cip, cport, sport) > 0);
	cr_assert_str_eq(line_of(&p), want_client, "SSH_CLIENT");
	free(want_client);
	dt_result_free(&r);
}

Test(daemon_conn, without_shell_cmd_is_bin_sh)
{
	struct dt_result r;
	char want[PATH_MAX], *p;

	cr_assert_not_null(realpath("/bin/sh", want));
	dt_run(&d, "{\"cmd\": \"" SHOW_SHELL "\", \"shell\": false}", NULL, 0,
	    &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.errout);
	p = r.out;
	cr_assert_str_eq(line_of(&p), want);
	cr_assert_str_eq(line_of(&p), "sh");
	dt_result_free(&r);
}

Test(daemon_conn, shell_not_a_boolean_is_a_bad_request)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"true\", \"shell\": \"yes\"}", NULL, 0, &r);
	cr_assert(r.got_error, "no error frame");
	cr_assert_eq(r.err.code, ERR_BAD_REQUEST);
	cr_assert_not_null(strstr(r.err.message, "shell"));
	dt_result_free(&r);
}

Test(daemon_conn, the_real_client_sees_it)
{
	struct rexec_run r;
	char addr[64];

	rexec_run(&r, NULL, rexec_addr(addr, sizeof(addr), &d),
	    "echo \"$REXEC_CONNECTION\"", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
	    r.err);
	cr_assert_not_null(strchr(r.out, '\n'));
	*strchr(r.out, '\n') = '\0';
	assert_connection(r.out);
	rexec_run_free(&r);
}

/* A request at the limit of variables still runs once rexecd has added
 * its own three: they do not count against the client's limit. */
Test(daemon_conn, a_full_environment_still_runs)
{
	char *json = malloc(32 * EXEC_ENV_MAX + 128);
	size_t off;
	struct dt_result r;

	cr_assert_not_null(json);
	off = (size_t)sprintf(json, "{\"cmd\": \"echo $V1023\", "
	    "\"shell\": true, \"env\": {");
	for (int i = 0; i < EXEC_ENV_MAX; i++)
		off += (size_t)sprintf(json + off, "%s\"V%d\": \"%d\"",
		    i ? ", " : "", i, i);
	strcpy(json + off, "}}");
	dt_run(&d, json, NULL, 0, &r);
	cr_assert(r.started, "not started: %s", r.err.message);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.errout);
	cr_assert_str_eq(r.out, "1023\n");
	dt_result_free(&r);
	free(json);
}
