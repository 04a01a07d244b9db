/* SPDX-License-Identifier: ISC */
/*
 * rexec-ssh -W through the real binary: 50 forwarded connections at
 * once, each checked end to end; a refused target's one line; and
 * OpenSSH's ssh reaching a private sshd through it as its ProxyCommand.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "fwd_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "sshlink.h"

#define CONCURRENT	50

static struct rexecd_proc d;
static struct fwd_echo echo;
static char dport[16];

static void
setup(void)
{
	rexecd_start(&d, "workers = 8\nmax_workers = 64\n"
	    "max_startups = 100\nper_source_max_startups = 64\n", NULL);
	snprintf(dport, sizeof(dport), "%d", d.port);
	fwd_echo_start(&echo);
}

static void
teardown(void)
{
	sshlink_remove();
	fwd_echo_stop(&echo);
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
}

TestSuite(client_forward, .init = setup, .fini = teardown, .timeout = 120);

static void
target_arg(char *buf, size_t len, int port)
{
	snprintf(buf, len, "127.0.0.1:%d", port);
}

/* Each its own bytes (every value), all at once, each its own echo. */
Test(client_forward, fifty_at_once_each_end_to_end)
{
	static struct rexec_run r[CONCURRENT];
	char in[CONCURRENT][64], target[32];
	size_t size = 256 * 1024;

	target_arg(target, sizeof(target), echo.port);
	for (int i = 0; i < CONCURRENT; i++) {
		struct rexec_opts o = { .stdin_file = in[i] };

		snprintf(in[i], sizeof(in[i]), "/tmp/forward-in-%d-%d",
		    (int)getpid(), i);
		write_random_file(in[i], size + (size_t)i, (uint64_t)i + 1);
		rexec_spawn(&r[i], &o, (const char *const[]){
		    rexec_ssh_bin(), "-p", dport, "-W", target, "127.0.0.1",
		    NULL });
	}
	for (int i = 0; i < CONCURRENT; i++) {
		size_t n;
		char *want = read_file_all(in[i], &n);

		rexec_wait(&r[i]);
		cr_assert(WIFEXITED(r[i].status) &&
		    WEXITSTATUS(r[i].status) == 0, "%d: status %#x: %s", i,
		    r[i].status, r[i].err);
		cr_assert_eq(r[i].out_len, n + strlen(FWD_TRAILER_PREFIX) + 2,
		    "%d: %zu bytes back for %zu", i, r[i].out_len, n);
		cr_assert_eq(memcmp(r[i].out, want, n), 0, "%d: differs", i);
		cr_assert_eq(strncmp(r[i].out + n, FWD_TRAILER_PREFIX,
		    strlen(FWD_TRAILER_PREFIX)), 0, "%d: no trailer", i);
		free(want);
		unlink(in[i]);
		rexec_run_free(&r[i]);
	}
}

Test(client_forward, refused_target_one_line_255)
{
	struct rexec_run r;
	char target[32];
	int holder, port = fwd_closed_port(&holder);

	target_arg(target, sizeof(target), port);
	rexec_spawn(&r, NULL, (const char *const[]){ rexec_ssh_bin(), "-p",
	    dport, "-W", target, "127.0.0.1", NULL });
	rexec_wait(&r);
	close(holder);
	assert_one_line(&r, "rexec: 127.0.0.1: connect: ", "refused");
	rexec_run_free(&r);
}

Test(client_forward, usage_errors)
{
	static const char *const bad[][2] = {
		{ "127.0.0.1", "x" }, { "h:0", NULL }, { "h:", NULL },
		{ ":22", NULL }, { "a:b:c", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rexec_run r;

		rexec_spawn(&r, NULL, (const char *const[]){
		    rexec_ssh_bin(), "-p", dport, "-W", bad[i][0],
		    "127.0.0.1", bad[i][1], NULL });
		rexec_wait(&r);
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255,
		    "%s: status %#x", bad[i][0], r.status);
		cr_assert_eq(r.out_len, 0);
		rexec_run_free(&r);
	}
}

/* A private sshd on a loopback port: its own keys, stopped by pid. */
struct sshd {
	pid_t	pid;
	int	port;
	char	dir[64];
	char	id[128];
};

static void
run_ok(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void
sshd_start(struct sshd *s)
{
	char cmd[512], conf[128];
	FILE *f;
	int holder;

	snprintf(s->dir, sizeof(s->dir), "/tmp/forward-sshd-XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir));
	snprintf(s->id, sizeof(s->id), "%s/id", s->dir);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -t ed25519 -N '' -f %s/host "
	    "</dev/null && ssh-keygen -q -t ed25519 -N '' -f %s </dev/null",
	    s->dir, s->id);
	run_ok(cmd);
	(void)mkdir("/run/sshd", 0755);
	s->port = fwd_closed_port(&holder);
	close(holder);
	snprintf(conf, sizeof(conf), "%s/sshd_config", s->dir);
	cr_assert_not_null(f = fopen(conf, "w"));
	fprintf(f, "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\n"
	    "AuthorizedKeysFile %s.pub\nPidFile %s/pid\nStrictModes no\n"
	    "UsePAM no\nPermitRootLogin prohibit-password\n"
	    "PasswordAuthentication no\nKbdInteractiveAuthentication no\n",
	    s->port, s->dir, s->id, s->dir);
	fclose(f);
	cr_assert_neq(s->pid = fork(), -1);
	if (s->pid == 0) {
		execl("/usr/sbin/sshd", "/usr/sbin/sshd", "-D", "-f", conf, "-E",
		    "/dev/null", (char *)NULL);
		_exit(127);
	}
}

static void
sshd_stop(struct sshd *s)
{
	char cmd[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	cr_expect_eq(system(cmd), 0, "%s", cmd);
}

/* ssh's ProxyCommand: the sshd is reached through rexecd's connect (its
 * log says so), with ssh's own protocol end to end. */
Test(client_forward, ssh_through_it_as_proxycommand)
{
	struct sshd s = { 0 };
	struct rexec_run r;
	char proxy[PATH_MAX + 128], port[16], needle[64];
	int st = -1;

	if (access("/usr/sbin/sshd", X_OK) != 0)
		cr_skip_test("no /usr/sbin/sshd (openssh-server, .ci/deps.sh)");
	if (access("/usr/bin/ssh", X_OK) != 0)
		cr_skip_test("no /usr/bin/ssh (openssh-client)");
	if (geteuid() != 0)
		cr_skip_test("a private sshd needs root");
	sshd_start(&s);
	snprintf(proxy, sizeof(proxy), "ProxyCommand=%s -p %s -W %%h:%%p "
	    "127.0.0.1", rexec_ssh_bin(), dport);
	snprintf(port, sizeof(port), "%d", s.port);
	/* Bounded: sshd may not listen yet. */
	for (int i = 0; i < 50 && st != 0; i++) {
		const char *const argv[] = { "/usr/bin/ssh", "-F", "/dev/null", "-i",
		    s.id, "-o", "StrictHostKeyChecking=no", "-o",
		    "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		    "-o", "LogLevel=ERROR", "-o", proxy, "-p", port,
		    "root@127.0.0.1", "echo through-rexec", NULL };

		if (i > 0) {
			rexec_run_free(&r);
			test_sleep_ms(100);
		}
		rexec_spawn(&r, NULL, argv);
		st = rexec_wait(&r);
	}
	sshd_stop(&s);
	cr_assert_eq(st, 0, "ssh failed: %s", r.err);
	cr_assert_str_eq(r.out, "through-rexec\n");
	rexec_run_free(&r);
	/* Its end: exit 0, or the SIGHUP ssh sends its ProxyCommand. */
	snprintf(needle, sizeof(needle), "(connect 127.0.0.1:%d)': ",
	    s.port);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0,
	    "not through rexecd");
}
