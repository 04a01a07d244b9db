/* SPDX-License-Identifier: ISC */
/* rexec-ssh: ssh's command line through the real binary (files.md). */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"
#include "sshlink.h"

#define ARGS_MAX	24

static struct rexecd_proc d;
static char port[16];

static void
setup(void)
{
	rexecd_start(&d, "subsystem = shout tr a-z A-Z\n", NULL);
	snprintf(port, sizeof(port), "%d", d.port);
}

static void
teardown(void)
{
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
	sshlink_remove();
}

TestSuite(client_ssh, .init = setup, .fini = teardown, .timeout = 120);

/* rexec-ssh with the words (NULL-ended), stdin from opts. */
static void
ssh_run(struct rexec_run *r, const struct rexec_opts *opts, ...)
{
	const char *argv[ARGS_MAX + 2] = { rexec_ssh_bin() };
	va_list ap;
	int n = 1;

	va_start(ap, opts);
	while (n <= ARGS_MAX && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rexec_spawn(r, opts, argv);
	rexec_wait(r);
}

static void
assert_status(const struct rexec_run *r, int code)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == code,
	    "status %#x (want exit %d), stderr: %s", r->status, code, r->err);
}

static void
assert_out(const struct rexec_run *r, const char *out)
{
	assert_status(r, 0);
	cr_assert_str_eq(r->out, out);
	cr_assert_eq(r->err_len, 0, "stderr: %s", r->err);
}

/* As sshd: the account's shell runs the command, SSH_ variables set. */
Test(client_ssh, runs_by_the_accounts_shell_with_ssh_variables)
{
	struct rexec_run r;
	char want[256];

	ssh_run(&r, NULL, "-p", port, "127.0.0.1",
	    "echo \"$SSH_CONNECTION\"; echo \"${SSH_CLIENT%% *}\"", NULL);
	assert_status(&r, 0);
	snprintf(want, sizeof(want), " 127.0.0.1 %s\n127.0.0.1\n", port);
	cr_assert_eq(strncmp(r.out, "127.0.0.1 ", 10), 0, "%s", r.out);
	cr_assert_not_null(strstr(r.out, want), "%s", r.out);
	rexec_run_free(&r);
	/* rexec's own grammar: /bin/sh, no SSH_ variables. */
	rexec_run(&r, NULL, "-p", port, "127.0.0.1",
	    "echo \"[$SSH_CONNECTION]\"", NULL);
	assert_out(&r, "[]\n");
	rexec_run_free(&r);
}

/* Options after the host; "--" before or after it ends them, unsent. */
Test(client_ssh, options_after_the_host_and_double_dash)
{
	struct rexec_run r;

	ssh_run(&r, NULL, "127.0.0.1", "-p", port, "-n", "echo", "a", "-p",
	    "--", "b", NULL);
	assert_out(&r, "a -p -- b\n");
	rexec_run_free(&r);
	/* GNU parallel's "host -- exec ...". */
	ssh_run(&r, NULL, "-p", port, "127.0.0.1", "--", "exec", "echo",
	    "-n", "x", NULL);
	assert_out(&r, "x");
	rexec_run_free(&r);
	ssh_run(&r, NULL, "-p", port, "--", "127.0.0.1", "-l", "x", NULL);
	cr_assert_neq(WEXITSTATUS(r.status), 255, "-l taken: %s", r.err);
	cr_assert_not_null(strstr(r.err, "-l"), "%s", r.err);
	rexec_run_free(&r);
}

/* -s: the command names a subsystem; an unknown one is refused. */
Test(client_ssh, subsystem)
{
	struct rexec_opts in = { .stdin_text = "quiet words\n" };
	struct rexec_run r;

	ssh_run(&r, &in, "-s", "-p", port, "127.0.0.1", "shout", NULL);
	assert_out(&r, "QUIET WORDS\n");
	rexec_run_free(&r);
	ssh_run(&r, &in, "-oSessionType=subsystem", "-p", port,
	    "127.0.0.1", "nosuch", NULL);
	assert_one_line(&r, "rexec: ", "no subsystem");
	rexec_run_free(&r);
}

/* stdin: forwarded, or not with -n; the exit status is the command's. */
Test(client_ssh, stdin_and_status)
{
	struct rexec_opts in = { .stdin_text = "data\n" };
	struct rexec_run r;

	ssh_run(&r, &in, "-p", port, "127.0.0.1", "cat; exit 3", NULL);
	assert_status(&r, 3);
	cr_assert_str_eq(r.out, "data\n");
	rexec_run_free(&r);
	ssh_run(&r, &in, "-n", "-p", port, "127.0.0.1", "cat", NULL);
	assert_out(&r, "");
	rexec_run_free(&r);
	/* No command, no terminal: the shell reads stdin, as ssh -T. */
	in.stdin_text = "echo from-stdin\n";
	ssh_run(&r, &in, "-T", "-p", port, "127.0.0.1", NULL);
	assert_out(&r, "from-stdin\n");
	rexec_run_free(&r);
}

/* -tt: a pty even without a terminal here (its \r\n shows it). */
Test(client_ssh, pty_forced_and_refused)
{
	struct rexec_run r;

	ssh_run(&r, NULL, "-tt", "-p", port, "127.0.0.1", "echo tty", NULL);
	assert_status(&r, 0);
	cr_assert_str_eq(r.out, "tty\r\n");
	rexec_run_free(&r);
	ssh_run(&r, NULL, "-t", "-p", port, "127.0.0.1", "test -t 0 || "
	    "echo none", NULL);
	assert_out(&r, "none\n");
	rexec_run_free(&r);
}

/* Keywords that take effect: Port, HostName, SetEnv, SendEnv,
 * RemoteCommand; REXEC_PORT as for rexec. */
Test(client_ssh, keywords_that_take_effect)
{
	const char *env[] = { "SSHCLI_SENT=yes", "SSHCLI_NOT=no", NULL };
	struct rexec_opts o = { .env = env };
	char portenv[32];
	const char *penv[] = { portenv, NULL };
	struct rexec_run r;

	ssh_run(&r, &o, "-oPort=1", "-o", "HostName 127.0.0.1", "-p", port,
	    "nosuchhost.invalid", "-oSetEnv=SSHCLI_SET=\"a b\"",
	    "-oSendEnv=SSHCLI_S*", "echo", "$SSHCLI_SET/$SSHCLI_SENT/"
	    "$SSHCLI_NOT", NULL);
	assert_out(&r, "a b/yes/\n");
	rexec_run_free(&r);
	snprintf(portenv, sizeof(portenv), "REXEC_PORT=%s", port);
	o.env = penv;
	ssh_run(&r, &o, "-oRemoteCommand=echo remote", "127.0.0.1", NULL);
	assert_out(&r, "remote\n");
	rexec_run_free(&r);
}

/* -G (git's probe), -V, -v, and ignored options with their arguments. */
Test(client_ssh, probes_and_ignored_options)
{
	struct rexec_run r;
	char want[128];

	ssh_run(&r, NULL, "-G", "-o", "SendEnv=GIT_PROTOCOL", "-p", port,
	    "-l", "someone", "h.example", NULL);
	snprintf(want, sizeof(want), "hostname h.example\nport %s\n"
	    "user someone\n", port);
	assert_out(&r, want);
	rexec_run_free(&r);
	ssh_run(&r, NULL, "-V", NULL);
	assert_status(&r, 0);
	cr_assert_eq(strncmp(r.err, "rexec ", 6), 0, "%s", r.err);
	rexec_run_free(&r);
	ssh_run(&r, NULL, "-x", "-a", "-2", "-C", "-A", "-k", "-Y",
	    "-i", "/nonexistent", "-F", "/nonexistent", "-c", "aes128-ctr",
	    "-S", "none", "-E", "/dev/null", "-oStrictHostKeyChecking=no",
	    "-oUserKnownHostsFile=/dev/null", "-oKexAlgorithms=+x",
	    "-p", port, "127.0.0.1", "echo ok", NULL);
	assert_out(&r, "ok\n");
	rexec_run_free(&r);
	ssh_run(&r, NULL, "-v", "-p", port, "127.0.0.1", "true", NULL);
	assert_status(&r, 0);
	cr_assert_not_null(strstr(r.err, "connecting to 127.0.0.1"), "%s",
	    r.err);
	rexec_run_free(&r);
}

/* Refused, each a usage error naming the option, status 255. */
Test(client_ssh, refused_options_named)
{
	static const char *const lines[][3] = {
		{ "-D", "1080", "-D" }, { "-R", "80:h:80", "-R" },
		{ "-J", "gw", "-J" }, { "-w", "0", "-w" },
		{ "-oProxyJump=gw", NULL, "ProxyJump" },
		{ "-oDynamicForward=1", NULL, "DynamicForward" },
		{ "-oRemoteForward=1 h:1", NULL, "RemoteForward" },
		{ "-oTunnel=yes", NULL, "Tunnel" },
		{ "-oNoSuchKeyword=1", NULL, "NoSuchKeyword" },
		{ "-N", NULL, "-N" },
		{ "-Z", NULL, "-Z" },
	};
	struct rexec_run r;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (lines[i][1] != NULL)
			ssh_run(&r, NULL, lines[i][0], lines[i][1], "-p",
			    port, "127.0.0.1", "true", NULL);
		else
			ssh_run(&r, NULL, lines[i][0], "-p", port,
			    "127.0.0.1", "true", NULL);
		assert_one_line(&r, "rexec: ", lines[i][2]);
		rexec_run_free(&r);
	}
	ssh_run(&r, NULL, "-O", "check", "127.0.0.1", NULL);
	assert_status(&r, 255);
	cr_assert_str_eq(r.err, "rexec: no control master\n");
	rexec_run_free(&r);
}

/* No -T under ssh's grammar: the token comes from REXEC_TOKEN_FILE. */
Test(client_ssh, token_from_rexec_token_file)
{
	char path[] = "/tmp/sshcli-token-XXXXXX", conf[128], env[64];
	char tport[16];
	const char *envs[] = { env, NULL };
	struct rexec_opts o = { .env = envs };
	struct rexecd_proc t;
	struct rexec_run r;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "sshcli-secret\n", 14), 14);
	close(fd);
	snprintf(conf, sizeof(conf), "token_file = %s\n", path);
	rexecd_start(&t, conf, NULL);
	snprintf(tport, sizeof(tport), "%d", t.port);
	ssh_run(&r, NULL, "-p", tport, "127.0.0.1", "echo in", NULL);
	assert_one_line(&r, "rexec: ", NULL);
	rexec_run_free(&r);
	snprintf(env, sizeof(env), "REXEC_TOKEN_FILE=%s", path);
	ssh_run(&r, &o, "-p", tport, "127.0.0.1", "echo in", NULL);
	assert_out(&r, "in\n");
	rexec_run_free(&r);
	cr_expect_eq(rexecd_stop(&t), 0);
	unlink(path);
}
