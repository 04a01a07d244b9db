/* SPDX-License-Identifier: ISC */
/* The ssh options rexec takes for the tools that call ssh. */
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
}

TestSuite(client_sshopts, .fini = cleanup, .timeout = 120);

static void
assert_ok(const struct rexec_run *r, const char *out)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "status %#x, stderr: %s", r->status, r->err);
	cr_assert_str_eq(r->out, out);
	cr_assert_eq(r->err_len, 0, "stderr: %s", r->err);
}

/* -o Port in the three spellings, names in any case. */
Test(client_sshopts, port_in_every_spelling)
{
	struct rexec_run r;
	char eq[32], glued[32], space[32], upper[32];

	rexecd_start(&d, NULL, NULL);
	snprintf(eq, sizeof(eq), "Port=%d", d.port);
	snprintf(glued, sizeof(glued), "-oport=%d", d.port);
	snprintf(space, sizeof(space), "Port %d", d.port);
	snprintf(upper, sizeof(upper), "PORT = %d", d.port);
	const char *const ways[][3] = {
		{ "-o", eq, NULL }, { glued, NULL, NULL },
		{ "-o", space, NULL }, { "-o", upper, NULL },
	};
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		const char *argv[8] = { rexec_bin() };
		int n = 1;

		for (int k = 0; k < 3 && ways[i][k] != NULL; k++)
			argv[n++] = ways[i][k];
		argv[n++] = "127.0.0.1";
		argv[n++] = "echo ok";
		rexec_spawn(&r, NULL, argv);
		rexec_wait(&r);
		assert_ok(&r, "ok\n");
		rexec_run_free(&r);
	}
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The ignored set is accepted silently, ConnectTimeout takes a value. */
Test(client_sshopts, ignored_options_and_connect_timeout)
{
	static const char *const ignored[] = {
		"BatchMode=yes", "ForwardAgent=no", "ForwardX11=no",
		"StrictHostKeyChecking=no", "UserKnownHostsFile=/dev/null",
		"GlobalKnownHostsFile=/dev/null", "LogLevel=ERROR",
		"ServerAliveInterval=5", "ServerAliveCountMax=3",
		"Compression=yes", "ControlMaster=auto", "ControlPath=/x/%r",
		"ControlPersist=60s", "IdentitiesOnly=yes",
		"PasswordAuthentication=no",
	};
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		rexec_run(&r, NULL, "-o", ignored[i], addr, "echo ok", NULL);
		assert_ok(&r, "ok\n");
		rexec_run_free(&r);
	}
	/* clush's spelling, all at once. */
	rexec_run(&r, NULL, "-oForwardAgent=no", "-oForwardX11=no",
	    "-oConnectTimeout=10", "-oBatchMode=yes", "-q", "-a", "-2", addr,
	    "echo ok", NULL);
	assert_ok(&r, "ok\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-o", "ConnectTimeout=0", addr, "true", NULL);
	assert_one_line(&r, "rexec: ", "ConnectTimeout");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* Any other name is a usage error naming it; nothing runs. */
Test(client_sshopts, unknown_option_named)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "-o", "Tunnel=yes", "127.0.0.1:1", "true", NULL);
	assert_one_line(&r, "rexec: ", "Tunnel");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-oProxyCommand=nc %h %p", "127.0.0.1:1", "true",
	    NULL);
	assert_one_line(&r, "rexec: ", "ProxyCommand");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-o", "Port", "127.0.0.1:1", "true", NULL);
	assert_one_line(&r, "rexec: ", "NAME=VALUE");
	rexec_run_free(&r);
}

/* SendEnv patterns send matching variables; an explicit -e wins. */
Test(client_sshopts, sendenv_patterns)
{
	static const char *const env[] = { "RXT_A=1", "RXT_B=two words",
	    "OTHER_RXT=3", "GIT_PROTOCOL=version=2", NULL };
	struct rexec_opts o = { .env = env };
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, &o, "-o", "SendEnv=RXT_*", addr,
	    "echo \"$RXT_A|$RXT_B|$OTHER_RXT|$GIT_PROTOCOL\"", NULL);
	assert_ok(&r, "1|two words||\n");
	rexec_run_free(&r);
	rexec_run(&r, &o, "-o", "SendEnv GIT_PROTOCOL", "-oSendEnv=RXT_?",
	    "-e", "RXT_A=mine", addr,
	    "echo \"$RXT_A|$RXT_B|$GIT_PROTOCOL\"", NULL);
	assert_ok(&r, "mine|two words|version=2\n");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The token never leaves in the environment, whatever SendEnv asks
 * (issue 18): with '*', REXEC_*, its exact name or a longer one. */
Test(client_sshopts, sendenv_never_sends_the_token)
{
	static const char *const env[] = { "REXEC_TOKEN=sendenv-s3cret",
	    "REXEC_TOKEN_FILE=/x", "REXEC_TOKENS=y", "REXEC_OTHER=z", NULL };
	/* Whether the pattern also matches REXEC_OTHER, which goes. */
	static const struct { const char *o; bool other; } patterns[] = {
		{ "SendEnv=*", true }, { "SendEnv=REXEC_*", true },
		{ "SendEnv=REXEC_TOKEN", false },
		{ "SendEnv=REXEC_TOKEN*", false },
		{ "SendEnv=REXEC_TOKEN_FILE REXEC_TOKENS REXEC_OTHER", true },
	};
	char dir[] = "/tmp/rexec-sendenv.XXXXXX", path[PATH_MAX];
	char conf[PATH_MAX + 32], addr[64];
	struct rexec_opts o = { .env = env };
	struct rexec_run r;
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
	cr_assert_eq(write(fd, "sendenv-s3cret\n", 15), 15);
	close(fd);
	snprintf(conf, sizeof(conf), "token_file = %s\n", path);
	rexecd_start(&d, conf, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		const char *p = patterns[i].o;

		rexec_run(&r, &o, "-o", p, addr, "env", NULL);
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		    "%s: status %#x, stderr: %s", p, r.status, r.err);
		cr_assert_null(strstr(r.out, "REXEC_TOKEN"), "%s sent: %s", p,
		    r.out);
		cr_assert_null(strstr(r.out, "sendenv-s3cret"), "%s", p);
		cr_assert_eq(strstr(r.out, "REXEC_OTHER=z\n") != NULL,
		    patterns[i].other, "%s: %s", p, r.out);
		rexec_run_free(&r);
	}
	cr_assert_eq(rexecd_stop(&d), 0);
	unlink(path);
	rmdir(dir);
}

/* -4 and -6 restrict the address family. */
Test(client_sshopts, address_family)
{
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-4", addr, "echo v4", NULL);
	assert_ok(&r, "v4\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-6", addr, "echo v6", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: ", "resolve");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* -G prints what would be used and connects to nothing. */
Test(client_sshopts, dash_G_prints_the_settings)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "-G", "bob@127.0.0.1:7", NULL);
	assert_ok(&r, "hostname 127.0.0.1\nport 7\nuser bob\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-l", "carol", "-p", "9", "-G", "h", "cmd", NULL);
	assert_ok(&r, "hostname h\nport 9\nuser carol\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-o", "User=dave", "-oPort=11", "-G", "h", NULL);
	assert_ok(&r, "hostname h\nport 11\nuser dave\n");
	rexec_run_free(&r);
	/* user@ wins over -l, as the host's own :port wins over -p. */
	rexec_run(&r, NULL, "-l", "carol", "-p", "9", "-G", "eve@h:12", NULL);
	assert_ok(&r, "hostname h\nport 12\nuser eve\n");
	rexec_run_free(&r);
}
