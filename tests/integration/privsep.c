/* SPDX-License-Identifier: ISC */
/*
 * Privilege separation (issue 18): the workers run as an account of
 * their own with no capabilities and are not dumpable; the master
 * starts commands as their account; nothing a command does reaches the
 * daemon.  Needs root (throw-away accounts): skipped without.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define ACCOUNT_TRIES	100
#define TOKEN		"privsep-test-token"

static char	cmd_user[32], worker_user[32], token_path[64];
static bool	made_cmd, made_worker;
static struct rexecd_proc d;

static void	cleanup(void);

TestSuite(privsep, .fini = cleanup, .timeout = 120);

/* useradd waits for nobody: another one holding the lock means retry. */
static bool
tool(const char *const *argv)
{
	struct rexec_run r;
	int st = 0;

	for (int i = 0; i < ACCOUNT_TRIES; i++) {
		rexec_spawn(&r, NULL, argv);
		st = rexec_wait(&r);
		rexec_run_free(&r);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
			break;
		test_sleep_ms(100);
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
	if (made_cmd)
		tool((const char *const[]){ "/usr/sbin/userdel", cmd_user,
		    NULL });
	if (made_worker)
		tool((const char *const[]){ "/usr/sbin/userdel", worker_user,
		    NULL });
	if (token_path[0] != '\0')
		unlink(token_path);
}

/* A commands' account, a workers' account, a root-only token file, and
 * a daemon using them. */
static void
start(const char *extra_conf)
{
	char conf[512];
	FILE *f;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("privsep: needs root (throw-away accounts)");
	snprintf(cmd_user, sizeof(cmd_user), "rxpc%d", (int)getpid());
	snprintf(worker_user, sizeof(worker_user), "rxpw%d", (int)getpid());
	made_cmd = tool((const char *const[]){ "/usr/sbin/useradd", "-M",
	    "-p", "*", "-d", "/tmp", "-s", "/bin/sh", cmd_user, NULL });
	cr_assert(made_cmd, "useradd %s", cmd_user);
	/* A login shell and a usable password: the only reason to refuse
	 * it a command is that it is the workers' account. */
	made_worker = tool((const char *const[]){ "/usr/sbin/useradd", "-M",
	    "-p", "*", "-d", "/nonexistent", "-s", "/bin/sh", worker_user,
	    NULL });
	cr_assert(made_worker, "useradd %s", worker_user);
	snprintf(token_path, sizeof(token_path), "/tmp/rxps-token.XXXXXX");
	cr_assert_neq(fd = mkstemp(token_path), -1);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fputs(TOKEN "\n", f);
	fclose(f);
	snprintf(conf, sizeof(conf), "user = %s\nworker_user = %s\n"
	    "token_file = %s\n%s", cmd_user, worker_user, token_path,
	    extra_conf != NULL ? extra_conf : "");
	rexecd_start(&d, conf, NULL);
}

/* rexec with the token, as a client would run it; its stdout. */
static char *
run(int *status, const char *fmt, ...)
{
	const char *env[] = { "REXEC_TOKEN=" TOKEN, NULL };
	struct rexec_opts o = { .env = env };
	struct rexec_run r;
	char addr[64], cmd[1024], *out;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, &o, addr, cmd, NULL);
	*status = r.status;
	out = strdup(r.out != NULL ? r.out : "");
	rexec_run_free(&r);
	return out;
}

static char *
status_line(pid_t pid, const char *key)
{
	char path[64], *text, *p, *nl;
	static char line[256];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((text = read_file_all(path, NULL)) == NULL)
		return NULL;
	p = strstr(text, key);
	line[0] = '\0';
	if (p != NULL) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		snprintf(line, sizeof(line), "%s", p);
	}
	free(text);
	return line;
}

Test(privsep, workers_are_unprivileged_and_sealed)
{
	pid_t w[16];
	int n;
	char want[64];
	struct stat st;
	char path[64];

	start(NULL);
	/* A worker is listed once it set its title (bounded: 10 s). */
	for (int i = 0; (n = dt_workers(d.pid, NULL, w, 16)) == 0 &&
	    i < 500; i++)
		test_sleep_ms(20);
	cr_assert_gt(n, 0, "no workers");
	snprintf(want, sizeof(want), "Uid:\t%u\t%u\t%u\t%u",
	    (unsigned)getpwnam(worker_user)->pw_uid,
	    (unsigned)getpwnam(worker_user)->pw_uid,
	    (unsigned)getpwnam(worker_user)->pw_uid,
	    (unsigned)getpwnam(worker_user)->pw_uid);
	for (int i = 0; i < n; i++) {
		cr_assert_str_eq(status_line(w[i], "Uid:"), want);
		cr_assert_str_eq(status_line(w[i], "CapEff:"),
		    "CapEff:\t0000000000000000");
		cr_assert_str_eq(status_line(w[i], "CapPrm:"),
		    "CapPrm:\t0000000000000000");
		cr_assert_str_eq(status_line(w[i], "NoNewPrivs:"),
		    "NoNewPrivs:\t1");
		/* Not dumpable: its /proc files belong to root. */
		snprintf(path, sizeof(path), "/proc/%d/environ", (int)w[i]);
		cr_assert_eq(stat(path, &st), 0);
		cr_assert_eq(st.st_uid, 0, "worker %d is dumpable", (int)w[i]);
	}
}

Test(privsep, commands_cannot_reach_the_daemon)
{
	pid_t w[16];
	int n, st;
	char *out;

	start(NULL);
	n = dt_workers(d.pid, "idle", w, 16);
	cr_assert_gt(n, 0, "no idle worker");
	out = run(&st, "id -un; kill -KILL %d; echo master $?; "
	    "kill -STOP %d; echo worker $?; "
	    "cat /proc/%d/environ >/dev/null 2>&1; echo environ $?; "
	    "cat %s >/dev/null 2>&1; echo token $?",
	    (int)d.pid, (int)w[0], (int)w[0], token_path);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	{
		char want[256];

		snprintf(want, sizeof(want), "%s\nmaster 1\nworker 1\n"
		    "environ 1\ntoken 1\n", cmd_user);
		cr_assert_str_eq(out, want);
	}
	free(out);
	/* What ended many a service: every process of the account (the
	 * shell itself is spared by kill(2)). */
	out = run(&st, "kill -9 -1; echo $?");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
	cr_assert_str_eq(out, "0\n");
	free(out);
	out = run(&st, "echo still serving");
	cr_assert_str_eq(out, "still serving\n");
	free(out);
	cr_assert_eq(kill(d.pid, 0), 0, "the master is gone");
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(privsep, root_where_allowed_while_workers_stay_unprivileged)
{
	const char *env[] = { "REXEC_TOKEN=" TOKEN, NULL };
	struct rexec_opts o = { .env = env };
	struct rexec_run r;
	char addr[64];

	start("users = root\nallow_root = yes\n");
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, &o, "-l", "root", addr, "id -u", NULL);
	cr_assert_str_eq(r.out, "0\n", "%s", r.err);
	rexec_run_free(&r);
}

Test(privsep, the_workers_account_runs_no_command)
{
	const char *env[] = { "REXEC_TOKEN=" TOKEN, NULL };
	struct rexec_opts o = { .env = env };
	struct rexec_run r;
	char addr[64], conf[128];

	if (geteuid() != 0)
		cr_skip_test("privsep: needs root (throw-away accounts)");
	snprintf(conf, sizeof(conf), "users = rxpw%d\n", (int)getpid());
	start(conf);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, &o, "-l", worker_user, addr, "id", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255);
	cr_assert_not_null(strstr(r.err, "account not available"), "%s",
	    r.err);
	rexec_run_free(&r);
	cr_assert_eq(rexecd_wait_log(&d, "the workers' own account", 5000),
	    0, "the log does not say why");
}
