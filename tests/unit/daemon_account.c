/* SPDX-License-Identifier: ISC */
/*
 * Account admission: sshd's rules (acctrules.c) and the users and
 * allow_root keys (account.c).  What needs root (reading /etc/shadow,
 * switching accounts, throw-away accounts) skips without it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon/account.h"
#include "daemon/acctrules.h"

/* Throw-away accounts: the branch's prefix and our pid, unique. */
static char tmpacct[32];

static void
fini(void)
{
	char cmd[128];

	if (tmpacct[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "userdel %s >/dev/null 2>&1", tmpacct);
	if (system(cmd) != 0)
		fprintf(stderr, "userdel %s failed\n", tmpacct);
	tmpacct[0] = '\0';
}

TestSuite(daemon_account, .fini = fini);

static struct config
config(const char *user, bool allow_root)
{
	struct config cf;

	memset(&cf, 0, sizeof(cf));
	if (user != NULL)
		snprintf(cf.user, sizeof(cf.user), "%s", user);
	cf.allow_root = allow_root;
	account_init();
	return cf;
}

static void
allow_users(struct config *cf, const char *name)
{
	if (strcmp(name, "*") == 0)
		cf->users_any = true;
	else
		snprintf(cf->users[cf->nusers++], USER_MAX, "%s", name);
}

/* The reason account_get gives for name, or NULL when admitted. */
static const char *
refused(const struct config *cf, const char *name)
{
	const char *why = NULL;
	const struct account *a = account_get(cf, name, &why);

	cr_assert((a == NULL) == (why != NULL), "%s: result and reason",
	    name);
	return why;
}

static void
need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
}

/* A throw-away account made with useradd's extra arguments. */
static void
make_account(const char *args)
{
	char cmd[256];

	snprintf(tmpacct, sizeof(tmpacct), "daemon19-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "useradd -M -N -s /bin/sh %s %s "
	    ">/dev/null 2>&1", args, tmpacct);
	if (system(cmd) != 0) {
		tmpacct[0] = '\0';
		cr_skip_test("useradd failed");
	}
}

/* usermod with args on the throw-away account. */
static void
usermod(const char *args)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "usermod %s %s", args, tmpacct);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

Test(daemon_account, nologin_and_false_are_refused)
{
	cr_assert_str_eq(acct_refusal("daemon19-nosuch", "/usr/sbin/nologin"),
	    "shell is nologin or false");
	cr_assert_str_eq(acct_refusal("daemon19-nosuch", "/bin/false"),
	    "shell is nologin or false");
	cr_assert_str_eq(acct_refusal("daemon19-nosuch", "nologin"),
	    "shell is nologin or false");
}

Test(daemon_account, a_shell_must_be_listed)
{
	cr_assert_str_eq(acct_refusal("daemon19-nosuch", "/daemon19/shell"),
	    "shell not in /etc/shells");
}

Test(daemon_account, an_empty_shell_is_the_bourne_shell)
{
	if (access("/bin/sh", X_OK) != 0)
		cr_skip_test("no /bin/sh");
	/* Debian lists /bin/sh in /etc/shells. */
	cr_assert_null(acct_refusal("daemon19-nosuch", ""));
	cr_assert_null(acct_refusal("daemon19-nosuch", "/bin/sh"));
}

Test(daemon_account, the_default_account_needs_no_users_entry)
{
	struct config cf = config(NULL, false);
	struct passwd *pw = getpwuid(geteuid());
	const char *why;
	const struct account *a = account_get(&cf, NULL, &why);

	cr_assert_not_null(a);
	cr_assert_eq(a->uid, geteuid());
	cr_assert(!a->drop, "no user key: no switch");
	if (pw != NULL) {
		/* Asked for by its name, it is the default too. */
		cr_assert_null(refused(&cf, pw->pw_name));
		cr_assert_str_eq(a->name, pw->pw_name);
	}
}

Test(daemon_account, users_lists_who_may_be_asked_for)
{
	struct config cf = config("nobody", false);

	cr_assert_str_eq(refused(&cf, "daemon19-nosuch"), "not in users");
	allow_users(&cf, "daemon19-other");
	cr_assert_str_eq(refused(&cf, "daemon19-nosuch"), "not in users");
	allow_users(&cf, "daemon19-nosuch");
	cr_assert_str_eq(refused(&cf, "daemon19-nosuch"), "no such account");
	cf.nusers = 0;
	allow_users(&cf, "*");
	cr_assert_str_eq(refused(&cf, "daemon19-nosuch2"), "no such account");
}

Test(daemon_account, root_needs_allow_root)
{
	struct config cf = config("nobody", false);

	allow_users(&cf, "*");
	cr_assert_str_eq(refused(&cf, "root"), "root needs allow_root = yes");
}

Test(daemon_account, a_name_too_long)
{
	struct config cf = config(NULL, false);
	char name[USER_MAX + 8];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	allow_users(&cf, "*");
	cr_assert_str_eq(refused(&cf, name), "name too long");
}

Test(daemon_account, switching_needs_root_then_sshds_rules)
{
	struct config cf = config(NULL, false);
	struct passwd *pw = getpwnam("nobody");

	if (pw == NULL || pw->pw_uid == geteuid())
		cr_skip_test("no account nobody of its own");
	allow_users(&cf, "nobody");
	if (geteuid() != 0)
		cr_assert_str_eq(refused(&cf, "nobody"), "switching accounts "
		    "needs rexecd started as root");
	else if (strstr(pw->pw_shell, "nologin") != NULL)
		cr_assert_str_eq(refused(&cf, "nobody"),
		    "shell is nologin or false");
}

Test(daemon_account, locked_and_expired_accounts)
{
	struct config cf = config(NULL, false);

	need_root();
	make_account("-p '*'");
	allow_users(&cf, tmpacct);
	cr_assert_null(refused(&cf, tmpacct));
	cr_assert_null(acct_refusal(tmpacct, "/bin/sh"));
	usermod("-L");
	cr_assert_str_eq(acct_refusal(tmpacct, "/bin/sh"), "account locked");
	/* The cache notices /etc/shadow changed. */
	cr_assert_str_eq(refused(&cf, tmpacct), "account locked");
	usermod("-p '*' -e 1970-01-02");
	cr_assert_str_eq(acct_refusal(tmpacct, "/bin/sh"), "account expired");
}

Test(daemon_account, group_zero_needs_allow_root)
{
	struct config cf = config(NULL, false);

	need_root();
	make_account("-p '*' -g 0");
	allow_users(&cf, tmpacct);
	cr_assert_str_eq(refused(&cf, tmpacct),
	    "primary group 0 needs allow_root = yes");
	cf.allow_root = true;
	cr_assert_null(refused(&cf, tmpacct));
}

Test(daemon_account, supplementary_group_zero_needs_allow_root)
{
	struct config cf = config(NULL, false);
	const struct account *a;
	const char *why;

	need_root();
	make_account("-p '*' -G root");
	allow_users(&cf, tmpacct);
	cr_assert_str_eq(refused(&cf, tmpacct),
	    "supplementary group 0 needs allow_root = yes");
	cf.allow_root = true;
	a = account_get(&cf, tmpacct, &why);
	cr_assert_not_null(a, "%s", why);
	cr_assert(a->drop && a->ngroups >= 2);
}

Test(daemon_account, the_workers_account_is_refused)
{
	struct config cf = config(NULL, false);
	struct passwd *pw = getpwnam("nobody");

	need_root();
	if (pw == NULL)
		cr_skip_test("no account nobody");
	cf.worker_drop = true;
	cf.worker_uid = pw->pw_uid;
	allow_users(&cf, "nobody");
	cr_assert_str_eq(refused(&cf, "nobody"), "the workers' own account");
}

/*
 * A worker (not root) skips the shadow rules: what answers getspnam for
 * it is no account's truth (nss-systemd says root is locked, "!*").
 */
Test(daemon_account, without_root_the_shadow_rules_are_skipped)
{
	pid_t pid;
	int status;

	need_root();
	if ((pid = fork()) == 0) {
		if (setuid(65534) == -1)
			_exit(2);
		_exit(acct_refusal("root", "/bin/sh") == NULL ? 0 : 1);
	}
	cr_assert_neq(pid, -1);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}
