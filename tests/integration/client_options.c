/* SPDX-License-Identifier: ISC */
/* Addressing, the request options and the token, against a real rexecd. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"

#define TOKEN	"s3cret-token"

static void	cleanup(void);

TestSuite(client_options, .fini = cleanup);

static void
assert_ok(const struct rexec_run *r, const char *out)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "status %#x, stderr: %s", r->status, r->err);
	cr_assert_str_eq(r->out, out);
	cr_assert_eq(r->err_len, 0, "stderr: %s", r->err);
}

/* Port of the daemon's "listening on ADDR port N" line for addr. */
static int
listen_port(const struct rexecd_proc *d, const char *addr)
{
	char *log = rexecd_log(d), needle[128], *p;
	int port = -1;

	snprintf(needle, sizeof(needle), "listening on %s port ", addr);
	if ((p = strstr(log, needle)) != NULL)
		port = atoi(p + strlen(needle));
	free(log);
	return port;
}

/* Whatever a failed assertion skipped is stopped and removed here. */
static struct rexecd_proc d;

Test(client_options, host_port_and_dash_p_and_env_port)
{
	struct rexec_run r;
	char addr[64], port[16], env[32];
	const char *envv[] = { env, NULL };
	struct rexec_opts o = { .env = envv };

	rexecd_start(&d, NULL, NULL);
	snprintf(port, sizeof(port), "%d", d.port);
	rexec_run(&r, NULL, rexec_addr(addr, sizeof(addr), &d), "echo a", NULL);
	assert_ok(&r, "a\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-p", port, "127.0.0.1", "echo b", NULL);
	assert_ok(&r, "b\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--port", port, "localhost", "echo c", NULL);
	assert_ok(&r, "c\n");
	rexec_run_free(&r);
	snprintf(env, sizeof(env), "REXEC_PORT=%s", port);
	rexec_run(&r, &o, "127.0.0.1", "echo d", NULL);
	assert_ok(&r, "d\n");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(client_options, ipv6_loopback)
{
	static const char *const extra[] = { "-l", "::1", NULL };
	struct rexec_run r;
	char addr[64], port[16];
	int p6;

	rexecd_start(&d, NULL, extra);
	cr_assert_eq(rexecd_wait_log(&d, "listening on ::1 port ", 10000), 0);
	p6 = listen_port(&d, "::1");
	cr_assert_gt(p6, 0);
	snprintf(addr, sizeof(addr), "[::1]:%d", p6);
	snprintf(port, sizeof(port), "%d", p6);
	rexec_run(&r, NULL, addr, "echo v6", NULL);
	assert_ok(&r, "v6\n");
	rexec_run_free(&r);
	/* A bare IPv6 address: every colon belongs to it. */
	rexec_run(&r, NULL, "-p", port, "::1", "echo bare", NULL);
	assert_ok(&r, "bare\n");
	rexec_run_free(&r);
	snprintf(addr, sizeof(addr), "[::1]");
	rexec_run(&r, NULL, "-p", port, addr, "echo bracketed", NULL);
	assert_ok(&r, "bracketed\n");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(client_options, env_cwd_and_words)
{
	struct rexec_run r;
	char addr[64], real[PATH_MAX], expect[PATH_MAX + 2];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-e", "FOO=bar baz", "--env", "EMPTY=", addr,
	    "echo \"$FOO\" \"[$EMPTY]\"", NULL);
	assert_ok(&r, "bar baz []\n");
	rexec_run_free(&r);

	cr_assert_not_null(realpath(d.dir, real));
	snprintf(expect, sizeof(expect), "%s\n", real);
	rexec_run(&r, NULL, "-C", real, addr, "pwd", NULL);
	assert_ok(&r, expect);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--cwd", "/", addr, "pwd", NULL);
	assert_ok(&r, "/\n");
	rexec_run_free(&r);

	/* Words are joined with spaces for the remote shell, as ssh does;
	 * options after the host belong to the command. */
	rexec_run(&r, NULL, addr, "echo", "a", "-n", "b", NULL);
	assert_ok(&r, "a -n b\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, addr, "echo", "$((6 * 7))", NULL);
	assert_ok(&r, "42\n");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(client_options, argv_mode_no_shell)
{
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-A", addr, "printf", "%s\\n", "a b", "$HOME",
	    NULL);
	assert_ok(&r, "a b\n$HOME\n");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--argv", addr, "echo", "-t", "x;y", NULL);
	assert_ok(&r, "-t x;y\n");
	rexec_run_free(&r);
	rexecd_stop(&d);
}

Test(client_options, help_and_version)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "--version", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert_eq(strncmp(r.out, "rexec ", 6), 0, "%s", r.out);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-h", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert_not_null(strstr(r.out, "usage: rexec"));
	cr_assert_not_null(strstr(r.out, "--token-file"));
	rexec_run_free(&r);
}

/* Fleet mode's own options without -w: a usage error that names the
 * option, before anything connects (no daemon needed). */
Test(client_options, fleet_options_need_dash_w)
{
	const char *const opts[] = { "-b", "-N", "--json", "-f", "-x" };
	struct rexec_run r;
	char want[64];

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (opts[i][1] == 'f' || opts[i][1] == 'x')
			rexec_run(&r, NULL, opts[i], "2", "127.0.0.1:1",
			    "true", NULL);
		else
			rexec_run(&r, NULL, opts[i], "127.0.0.1:1", "true",
			    NULL);
		snprintf(want, sizeof(want), "rexec: %s is an option of fleet "
		    "mode", opts[i]);
		assert_one_line(&r, want, "needs -w");
		rexec_run_free(&r);
	}
}

/* A daemon demanding TOKEN; paths of a good and a world-readable token
 * file in tdir. */
struct token_setup {
	struct rexecd_proc	d;
	char			tdir[64];
	char			good[128];
	char			open[128];
	char			wrong[128];
	char			daemon_file[128];
	char			addr[64];
};

static struct token_setup tok;

static void
write_mode(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	cr_assert_eq(chmod(path, mode), 0);
}

static void
token_start(struct token_setup *t)
{
	const char *extra[] = { "-T", t->daemon_file, NULL };

	snprintf(t->tdir, sizeof(t->tdir), "/tmp/rexec-token.XXXXXX");
	cr_assert_not_null(mkdtemp(t->tdir));
	snprintf(t->daemon_file, sizeof(t->daemon_file), "%s/daemon", t->tdir);
	snprintf(t->good, sizeof(t->good), "%s/good", t->tdir);
	snprintf(t->open, sizeof(t->open), "%s/open", t->tdir);
	snprintf(t->wrong, sizeof(t->wrong), "%s/wrong", t->tdir);
	/* A CRLF on one side, LF on the other: both trim line ends alike. */
	write_mode(t->daemon_file, TOKEN "\r\n", 0600);
	write_mode(t->good, TOKEN "\n", 0600);
	write_mode(t->open, TOKEN "\n", 0644);
	write_mode(t->wrong, "not-the-token", 0600);
	rexecd_start(&t->d, NULL, extra);
	rexec_addr(t->addr, sizeof(t->addr), &t->d);
}

static void
token_stop(struct token_setup *t)
{
	if (t->d.pid > 0)
		rexecd_stop(&t->d);
	unlink(t->daemon_file);
	unlink(t->good);
	unlink(t->open);
	unlink(t->wrong);
	rmdir(t->tdir);
	t->tdir[0] = '\0';
}

Test(client_options, token_file_and_environment)
{
	static const char *const envv[] = { "REXEC_TOKEN=" TOKEN, NULL };
	struct rexec_opts o = { .env = envv };
	struct rexec_run r;

	token_start(&tok);
	rexec_run(&r, NULL, "-T", tok.good, tok.addr, "echo in", NULL);
	assert_ok(&r, "in\n");
	rexec_run_free(&r);
	rexec_run(&r, &o, tok.addr, "echo env", NULL);
	assert_ok(&r, "env\n");
	rexec_run_free(&r);
	token_stop(&tok);
}

Test(client_options, token_refused)
{
	static const char *const envv[] = { "REXEC_TOKEN=wrong", NULL };
	struct rexec_opts o = { .env = envv };
	struct rexec_run r;

	token_start(&tok);
	rexec_run(&r, NULL, tok.addr, "echo no", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: authentication refused", NULL);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--token-file", tok.wrong, tok.addr, "echo no", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: authentication refused", NULL);
	rexec_run_free(&r);
	rexec_run(&r, &o, tok.addr, "echo no", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: authentication refused", NULL);
	rexec_run_free(&r);
	token_stop(&tok);
}

Test(client_options, token_file_too_open)
{
	struct rexec_run r;

	token_start(&tok);
	rexec_run(&r, NULL, "-T", tok.open, tok.addr, "echo no", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: token file ",
	    "permissions 0644 are too open");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-T", "/nonexistent/token", tok.addr, "true", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: token file /nonexistent/token",
	    "No such file");
	rexec_run_free(&r);
	token_stop(&tok);
}

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
	if (tok.tdir[0] != '\0')
		token_stop(&tok);
}
