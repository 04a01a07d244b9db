/* SPDX-License-Identifier: ISC */
/*
 * Accounts: rexec -l/--user/user@host/-o User and the daemon's users and
 * allow_root keys, with throw-away accounts (needs root: skipped without).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

/* useradd waits for nobody: another one holding the lock means retry. */
#define ACCOUNT_TRIES	100
/* Throw-away accounts each breaking one of sshd's rules, and one not. */
#define RULES_MAX	8

struct accounts {
	char	a[32], b[32], group[32];
	char	home[64];		/* a's home; b has none */
	bool	made_a, made_b, made_group;
	char	rules[RULES_MAX][32];	/* made when non-empty */
};

static struct accounts acc;
static struct rexecd_proc d;

static void	cleanup(void);
static void	check_group0_user(const char *name);

TestSuite(accounts, .fini = cleanup, .timeout = 120);

static int
run_tool(const char *const *argv)
{
	struct rexec_run r;
	int st;

	for (int i = 0; i < ACCOUNT_TRIES; i++) {
		rexec_spawn(&r, NULL, argv);
		st = rexec_wait(&r);
		rexec_run_free(&r);
		/* 1 (useradd) / 10 (groupadd): cannot lock the files. */
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != 1 &&
		    WEXITSTATUS(st) != 10))
			return st;
		test_sleep_ms(100);
	}
	return st;
}

static bool
ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Two accounts and a group only a belongs to, named for this process. */
static void
make_accounts(void)
{
	int pid = (int)getpid();

	if (geteuid() != 0)
		cr_skip_test("accounts: needs root to create throw-away "
		    "accounts (useradd); run as root to test switching");
	snprintf(acc.a, sizeof(acc.a), "rxta%d", pid);
	snprintf(acc.b, sizeof(acc.b), "rxtb%d", pid);
	snprintf(acc.group, sizeof(acc.group), "rxtg%d", pid);
	snprintf(acc.home, sizeof(acc.home), "/tmp/rxt-home.XXXXXX");
	cr_assert_not_null(mkdtemp(acc.home));
	acc.made_group = ok(run_tool((const char *const[]){
	    "/usr/sbin/groupadd", acc.group, NULL }));
	cr_assert(acc.made_group, "groupadd %s", acc.group);
	/* "*": no password, but not locked as useradd's default "!" is. */
	acc.made_a = ok(run_tool((const char *const[]){ "/usr/sbin/useradd",
	    "-p", "*", "-M", "-d", acc.home, "-s", "/bin/sh", "-G", acc.group,
	    acc.a, NULL }));
	cr_assert(acc.made_a, "useradd %s", acc.a);
	acc.made_b = ok(run_tool((const char *const[]){ "/usr/sbin/useradd",
	    "-p", "*", "-M", "-d", "/nonexistent", "-s", "/bin/sh", acc.b,
	    NULL }));
	cr_assert(acc.made_b, "useradd %s", acc.b);
	cr_assert_eq(chown(acc.home, getpwnam(acc.a)->pw_uid, (gid_t)-1), 0);
}

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
	if (acc.made_a)
		run_tool((const char *const[]){ "/usr/sbin/userdel", acc.a,
		    NULL });
	if (acc.made_b)
		run_tool((const char *const[]){ "/usr/sbin/userdel", acc.b,
		    NULL });
	if (acc.made_group)
		run_tool((const char *const[]){ "/usr/sbin/groupdel",
		    acc.group, NULL });
	for (int i = 0; i < RULES_MAX; i++)
		if (acc.rules[i][0] != '\0')
			run_tool((const char *const[]){ "/usr/sbin/userdel",
			    acc.rules[i], NULL });
	if (acc.home[0] != '\0')
		rmdir(acc.home);
}

static void
start(const char *fmt, ...)
{
	char conf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(conf, sizeof(conf), fmt, ap);
	va_end(ap);
	rexecd_start(&d, conf, NULL);
}

static void
assert_out(const struct rexec_run *r, const char *out)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "status %#x, stderr: %s", r->status, r->err);
	cr_assert_str_eq(r->out, out);
}

/* What a command sees as acc.a, by each way of asking for it. */
Test(accounts, every_spelling_switches_as_the_run_as_account_does)
{
	struct rexec_run r;
	char addr[64], at[128], user_o[64], want[PATH_MAX + 256];
	char real[PATH_MAX];
	char cmdg[256];

	make_accounts();
	start("users = %s\n", acc.a);
	rexec_addr(addr, sizeof(addr), &d);
	snprintf(at, sizeof(at), "%s@%s", acc.a, addr);
	snprintf(user_o, sizeof(user_o), "User=%s", acc.a);
	/* initgroups: the supplementary group is there. */
	snprintf(cmdg, sizeof(cmdg), "id -un; id -Gn | tr ' ' '\\n' | "
	    "grep -cx %s; pwd; echo $HOME $USER $LOGNAME $SHELL", acc.group);
	cr_assert_not_null(realpath(acc.home, real));
	snprintf(want, sizeof(want), "%s\n1\n%s\n%s %s %s /bin/sh\n", acc.a,
	    real, acc.home, acc.a, acc.a);
	const char *const ways[][4] = {
		{ at, cmdg, NULL },
		{ "-l", acc.a, addr, cmdg },
		{ "--user", acc.a, addr, cmdg },
		{ "-o", user_o, addr, cmdg },
	};
	for (size_t i = 0; i < sizeof(ways) / sizeof(ways[0]); i++) {
		rexec_run(&r, NULL, ways[i][0], ways[i][1], ways[i][2],
		    ways[i][3], NULL);
		assert_out(&r, want);
		rexec_run_free(&r);
	}
	/* -C wins over the home directory. */
	rexec_run(&r, NULL, "-C", "/", at, "pwd; id -u", NULL);
	snprintf(want, sizeof(want), "/\n%u\n",
	    (unsigned)getpwnam(acc.a)->pw_uid);
	assert_out(&r, want);
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The account is in the line logged for each command. */
Test(accounts, logged_with_each_command)
{
	struct rexec_run r;
	char addr[64], at[128], needle[128];

	make_accounts();
	start("users = %s %s\nlog_level = info\n", acc.a, acc.b);
	rexec_addr(addr, sizeof(addr), &d);
	snprintf(at, sizeof(at), "%s@%s", acc.b, addr);
	rexec_run(&r, NULL, at, "true", NULL);
	assert_out(&r, "");
	rexec_run_free(&r);
	snprintf(needle, sizeof(needle), " %s 'true': exit 0", acc.b);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
}

static char *
refused_line(const char *user, const char *addr)
{
	struct rexec_run r;
	char *line;

	rexec_run(&r, NULL, "-l", user, addr, "echo ran", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: ", "account not available");
	line = strdup(r.err);
	rexec_run_free(&r);
	return line;
}

/* Unlisted, missing and root without allow_root look all the same. */
Test(accounts, refusals_do_not_tell_whether_the_account_exists)
{
	char addr[64], *unlisted, *missing, *root;

	make_accounts();
	/* The default account is acc.a, so root is not the default here. */
	start("user = %s\nusers = %s, root, rxt-no-such-account\n", acc.a,
	    acc.a);
	rexec_addr(addr, sizeof(addr), &d);
	unlisted = refused_line(acc.b, addr);
	missing = refused_line("rxt-no-such-account", addr);
	root = refused_line("root", addr);
	cr_assert_str_eq(unlisted, missing);
	cr_assert_str_eq(unlisted, root);
	free(unlisted);
	free(missing);
	free(root);
	cr_assert_eq(rexecd_wait_log(&d, "refused: not in users", 10000), 0);
	cr_assert_eq(rexecd_wait_log(&d, "refused: no such account", 10000),
	    0);
	cr_assert_eq(rexecd_wait_log(&d, "root needs allow_root", 10000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* "*" is any account but root; allow_root = yes adds root. */
Test(accounts, star_and_allow_root)
{
	struct rexec_run r;
	char addr[64], want[64];

	make_accounts();
	start("user = %s\nusers = *\n", acc.a);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-l", acc.b, addr, "id -un", NULL);
	snprintf(want, sizeof(want), "%s\n", acc.b);
	assert_out(&r, want);
	rexec_run_free(&r);
	free(refused_line("root", addr));
	/* No -l: the default account, user = acc.a. */
	rexec_run(&r, NULL, addr, "id -un", NULL);
	snprintf(want, sizeof(want), "%s\n", acc.a);
	assert_out(&r, want);
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);

	start("user = %s\nusers = *\nallow_root = yes\n", acc.a);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-l", "root", addr, "id -u", NULL);
	assert_out(&r, "0\n");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* No users key: only the default account, asked for by name or not. */
Test(accounts, without_users_only_the_default)
{
	struct rexec_run r;
	char addr[64], want[64];

	make_accounts();
	start("user = %s\n", acc.a);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-l", acc.a, addr, "id -un", NULL);
	snprintf(want, sizeof(want), "%s\n", acc.a);
	assert_out(&r, want);
	rexec_run_free(&r);
	free(refused_line(acc.b, addr));
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* A wrong "user" member is a bad request, not an auth refusal. */
Test(accounts, user_member_checked)
{
	static const char *const bad[] = {
		"{\"cmd\":\"true\",\"user\":5}",
		"{\"cmd\":\"true\",\"user\":\"\"}",
		"{\"cmd\":\"true\",\"user\":[\"root\"]}",
	};
	struct dt_result res;

	rexecd_start(&d, NULL, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dt_run(&d, bad[i], NULL, 0, &res);
		cr_assert(res.got_error, "%s", bad[i]);
		cr_assert_eq(res.err.code, ERR_BAD_REQUEST, "%s", bad[i]);
		dt_result_free(&res);
	}
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* One throw-away account rxdb<letter><pid>, useradd given the options. */
static const char *
make_rule_account(int i, char letter, const char *const *opts)
{
	const char *argv[16] = { "/usr/sbin/useradd", "-M", "-d",
	    "/nonexistent" };
	int n = 4;

	snprintf(acc.rules[i], sizeof(acc.rules[i]), "rxdb%c%d", letter,
	    (int)getpid());
	while (*opts != NULL)
		argv[n++] = *opts++;
	argv[n++] = acc.rules[i];
	argv[n] = NULL;
	if (!ok(run_tool(argv))) {
		acc.rules[i][0] = '\0';
		cr_assert_fail("useradd rxdb%c", letter);
	}
	return acc.rules[i];
}

/*
 * sshd's rules (issue 18): locked, expired, a shell that is no login
 * shell, root's group without allow_root: refused as a missing account
 * is, the log saying which rule.
 */
Test(accounts, sshd_rules_refuse_as_a_missing_account_is_refused)
{
	static const struct {
		char		 letter;
		const char	*opts[8];
		const char	*rule;		/* in the log */
	} bad[] = {
		{ 'l', { "-p", "!", "-s", "/bin/sh" }, "account locked" },
		{ 'e', { "-p", "*", "-s", "/bin/sh", "-e", "1970-01-02" },
		    "account expired" },
		{ 'n', { "-p", "*", "-s", "/usr/sbin/nologin" },
		    "shell is nologin or false" },
		{ 'f', { "-p", "*", "-s", "/bin/false" },
		    "shell is nologin or false" },
		{ 's', { "-p", "*", "-s", "/usr/bin/env" },
		    "shell not in /etc/shells" },
		{ 'g', { "-p", "*", "-s", "/bin/sh", "-g", "0" },
		    "primary group 0 needs allow_root" },
		{ 'h', { "-p", "*", "-s", "/bin/sh", "-G", "0" },
		    "supplementary group 0 needs allow_root" },
	};
	struct rexec_run r;
	char addr[64], want[64], *missing, *line;
	const char *good;

	make_accounts();
	good = make_rule_account(RULES_MAX - 1, 'o', (const char *const[]){
	    "-p", "*", "-s", "/bin/sh", NULL });
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		make_rule_account((int)i, bad[i].letter, bad[i].opts);
	start("users = *\nlog_level = info\n");
	rexec_addr(addr, sizeof(addr), &d);
	missing = refused_line("rxdb-no-such-account", addr);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		line = refused_line(acc.rules[i], addr);
		cr_assert_str_eq(line, missing, "%s", bad[i].rule);
		free(line);
		cr_assert_eq(rexecd_wait_log(&d, bad[i].rule, 10000), 0,
		    "log: %s", bad[i].rule);
	}
	free(missing);
	rexec_run(&r, NULL, "-l", good, addr, "id -un", NULL);
	snprintf(want, sizeof(want), "%s\n", good);
	assert_out(&r, want);
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);

	/* Root's group is root's to give, as root is. */
	start("users = *\nallow_root = yes\n");
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-l", acc.rules[5], addr, "id -g", NULL);
	assert_out(&r, "0\n");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
	check_group0_user(acc.rules[5]);
}

/* user = an account of group 0 is refused at start without allow_root. */
static void
check_group0_user(const char *name)
{
	char path[] = "/tmp/rxdb-conf.XXXXXX", *out;
	const char *args[] = { "-t", "-f", path, NULL };
	int fd = mkstemp(path), st;

	cr_assert_neq(fd, -1);
	cr_assert_gt(dprintf(fd, "user = %s\n", name), 0);
	close(fd);
	st = rexecd_once(args, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", out);
	cr_assert_not_null(strstr(out, "group 0"), "%s", out);
	free(out);
	fd = open(path, O_WRONLY | O_APPEND);
	cr_assert_neq(fd, -1);
	cr_assert_gt(dprintf(fd, "allow_root = yes\n"), 0);
	close(fd);
	st = rexecd_once(args, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	free(out);
	unlink(path);
}
