/* SPDX-License-Identifier: ISC */
/*
 * MUNGE identity (rexec -M, rexecd.conf munge): private munged daemons
 * (tests/support/munged.c), two throw-away accounts that each run as
 * themselves, credentials replayed, expired, of another key, munged
 * stopped on either side.  Needs root: skipped, saying why, without.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "fwd_util.h"
#include "munged.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "sshlink.h"

/* useradd waits for nobody: another one holding the lock means retry. */
#define ACCOUNT_TRIES	100
#define SETPRIV		"/usr/bin/setpriv"
#define TOKEN		"munge-test-token"
/* Any 127.0.0.x reaches a daemon on 0.0.0.0; it allows them all. */
#define WIDE_CONF	"allow = 127.0.0.0/8\n"

struct throwaway {
	char	name[32];
	bool	made;
};

static struct munged	m1, m2;
static struct rexecd_proc d;
static struct throwaway	user[2];
static char		addr[64];
static bool		env_munge;	/* run_as sets REXEC_MUNGE=1 */
static const char	*run_bin;	/* run_as runs this, not rexec */
static struct fwd_echo	echo;		/* a forwarding target */

static void	cleanup(void);

TestSuite(munge, .fini = cleanup, .timeout = 120);

static int
run_tool(const char *const *argv)
{
	struct rexec_run r;
	int st;

	for (int i = 0; i < ACCOUNT_TRIES; i++) {
		rexec_spawn(&r, NULL, argv);
		st = rexec_wait(&r);
		rexec_run_free(&r);
		/* 1: another useradd holds the files' lock. */
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 1)
			return st;
		test_sleep_ms(100);
	}
	return st;
}

/* mungea<pid> and mungeb<pid>: a shell, no home, not locked. */
static void
make_accounts(void)
{
	for (int i = 0; i < 2; i++) {
		snprintf(user[i].name, sizeof(user[i].name), "munge%c%d",
		    'a' + i, (int)getpid());
		int st = run_tool((const char *const[]){ "/usr/sbin/useradd",
		    "-p", "*", "-M", "-d", "/nonexistent", "-s", "/bin/sh",
		    user[i].name, NULL });
		user[i].made = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		cr_assert(user[i].made, "useradd %s", user[i].name);
	}
}

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
	munged_stop(&m1);
	munged_stop(&m2);
	fwd_echo_stop(&echo);
	for (int i = 0; i < 2; i++)
		if (user[i].made)
			run_tool((const char *const[]){ "/usr/sbin/userdel",
			    user[i].name, NULL });
}

/* A daemon with munge = yes on m's socket, conf_extra added, its token
 * in m's dir; on 0.0.0.0 when wide. */
static void
start_daemon(const struct munged *m, const char *conf_extra, bool wide)
{
	char conf[2 * PATH_MAX + 512], token[PATH_MAX + 8];
	const char *wide_args[] = { "-f", d.conf, "-p", "0", "-l", "0.0.0.0",
	    NULL };
	int fd;

	snprintf(token, sizeof(token), "%s/token", m1.dir);
	fd = open(token, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, TOKEN "\n", sizeof(TOKEN)), (ssize_t)sizeof(TOKEN));
	close(fd);
	snprintf(conf, sizeof(conf), "munge = yes\nmunge_socket = %s\n"
	    "users = *\ntoken_file = %s\n%s%s", m->sock, token, conf_extra,
	    wide ? WIDE_CONF : "");
	if (wide)
		cr_assert_eq(rexecd_start_args(&d, conf, wide_args), 0,
		    "rexecd on 0.0.0.0 did not start");
	else
		rexecd_start(&d, conf, NULL);
	rexec_addr(addr, sizeof(addr), &d);
}

/* rexec as account name (its uid asks munged), with args after. */
static void
run_as(struct rexec_run *r, const char *name, const char *sock, ...)
{
	const char *argv[32] = { SETPRIV };
	char reuid[64], regid[64], env_sock[PATH_MAX + 32];
	const char *env[] = { env_sock, "REXEC_TOKEN=",
	    env_munge ? "REXEC_MUNGE=1" : NULL, NULL };
	struct rexec_opts o = { .env = env };
	struct passwd *pw = getpwnam(name);
	size_t n = 1;
	va_list ap;

	cr_assert_not_null(pw, "no account %s", name);
	snprintf(reuid, sizeof(reuid), "--reuid=%u", (unsigned)pw->pw_uid);
	snprintf(regid, sizeof(regid), "--regid=%u", (unsigned)pw->pw_gid);
	snprintf(env_sock, sizeof(env_sock), "REXEC_MUNGE_SOCKET=%s", sock);
	argv[n++] = reuid;
	argv[n++] = regid;
	argv[n++] = "--clear-groups";
	argv[n++] = run_bin != NULL ? run_bin : rexec_bin();
	va_start(ap, sock);
	while (n < 31 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rexec_spawn(r, &o, argv);
	rexec_wait(r);
}

static void
assert_out(const struct rexec_run *r, const char *want)
{
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "status %#x, stderr: %s", r->status, r->err);
	cr_assert_str_eq(r->out, want);
}

/* Sends one exec with this credential in raw frames; the result. */
static void
send_credential(const char *cred, struct dt_result *res)
{
	char json[8192];

	snprintf(json, sizeof(json), "{\"cmd\":\"id -un\",\"munge\":\"%s\"}",
	    cred);
	dt_run(&d, json, NULL, 0, res);
}

static void
assert_auth_error(const struct dt_result *res, const char *message)
{
	cr_assert(res->got_error && !res->started, "not refused");
	cr_assert_eq(res->err.code, ERR_AUTH);
	cr_assert_str_eq(res->err.message, message);
}

/* Each account runs as itself, no token needed; without -M the token
 * rules are as they were. */
Test(munge, each_account_runs_as_itself)
{
	struct rexec_run r;
	char want[128];

	munged_require();
	make_accounts();
	munged_start(&m1);
	start_daemon(&m1, "", false);
	for (int i = 0; i < 3; i++) {
		/* -M, --munge, and REXEC_MUNGE=1 in the environment. */
		env_munge = i == 2;
		run_as(&r, user[i % 2].name, m1.sock, i == 0 ? "-M" :
		    i == 1 ? "--munge" : "-n", addr, "id -un", NULL);
		env_munge = false;
		snprintf(want, sizeof(want), "%s\n", user[i % 2].name);
		assert_out(&r, want);
		rexec_run_free(&r);
	}
	/* -l naming one's own account is the same account. */
	run_as(&r, user[0].name, m1.sock, "-M", "-l", user[0].name, addr,
	    "id -un", NULL);
	snprintf(want, sizeof(want), "%s\n", user[0].name);
	assert_out(&r, want);
	rexec_run_free(&r);
	/* --status takes the credential instead of the token too. */
	run_as(&r, user[1].name, m1.sock, "-M", "--status", "--json", addr,
	    NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x, stderr: %s", r.status, r.err);
	cr_assert_not_null(strstr(r.out, "\"workers\""), "%s", r.out);
	rexec_run_free(&r);
	run_as(&r, user[1].name, m1.sock, addr, "id -un", NULL);
	assert_one_line(&r, "rexec: ", "a token is required");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* Asking for the other's account says no more than for none at all. */
Test(munge, another_account_refused_as_one_that_does_not_exist)
{
	struct rexec_run r;
	char other[256], none[256], nobody[64];

	munged_require();
	make_accounts();
	munged_start(&m1);
	start_daemon(&m1, "", false);
	run_as(&r, user[0].name, m1.sock, "-M", "-l", user[1].name, addr,
	    "id -un", NULL);
	assert_one_line(&r, "rexec: ", "account not available");
	snprintf(other, sizeof(other), "%s", r.err);
	rexec_run_free(&r);
	snprintf(nobody, sizeof(nobody), "mungez%d", (int)getpid());
	cr_assert_null(getpwnam(nobody));
	run_as(&r, user[0].name, m1.sock, "-M", "-l", nobody, addr,
	    "id -un", NULL);
	assert_one_line(&r, "rexec: ", "account not available");
	snprintf(none, sizeof(none), "%s", r.err);
	rexec_run_free(&r);
	cr_assert_str_eq(other, none);
	cr_assert_eq(rexecd_wait_log(&d, "asks for account", 5000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* munged's replay check: the same credential twice, in raw frames. */
Test(munge, replayed_credential_refused)
{
	struct dt_result res;
	char *cred;

	munged_require();
	munged_start(&m1);
	start_daemon(&m1, "allow_root = yes\n", false);
	cred = munged_encode(&m1, 0, NULL);
	send_credential(cred, &res);
	cr_assert(res.got_exit && res.st.code == 0 && res.out != NULL &&
	    strcmp(res.out, "root\n") == 0, "the first use failed: %s",
	    res.got_error ? res.err.message : "?");
	dt_result_free(&res);
	send_credential(cred, &res);
	assert_auth_error(&res, "munge: Replayed credential");
	dt_result_free(&res);
	free(cred);
	cr_assert_eq(rexecd_wait_log(&d, "refused: munge: Replayed credential",
	    5000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/*
 * A lifetime of 1 s, over once the clock is 2 s past its encoding
 * (munged counts whole seconds): waited for by the clock, bounded.
 */
Test(munge, expired_credential_refused)
{
	struct dt_result res;
	long long encoded;
	char *cred;

	munged_require();
	munged_start(&m1);
	start_daemon(&m1, "allow_root = yes\n", false);
	cred = munged_encode(&m1, 1, &encoded);
	for (int waited = 0; (long long)time(NULL) <= encoded + 1;
	    waited += 50) {
		cr_assert_lt(waited, 5000, "the clock does not move");
		test_sleep_ms(50);
	}
	send_credential(cred, &res);
	assert_auth_error(&res, "munge: Expired credential");
	dt_result_free(&res);
	free(cred);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* A credential from a munged with another key does not decode. */
Test(munge, credential_of_another_key_refused)
{
	struct dt_result res;
	char *cred;

	munged_require();
	munged_start(&m1);
	munged_start(&m2);
	start_daemon(&m1, "allow_root = yes\n", false);
	cred = munged_encode(&m2, 0, NULL);
	send_credential(cred, &res);
	assert_auth_error(&res, "munge: Invalid credential");
	dt_result_free(&res);
	free(cred);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The client's munged gone: nothing sent, rexec's own one line. */
Test(munge, munged_stopped_on_the_client_side)
{
	struct rexec_run r;
	char sock[PATH_MAX];

	munged_require();
	make_accounts();
	munged_start(&m1);
	munged_start(&m2);
	start_daemon(&m1, "", false);
	snprintf(sock, sizeof(sock), "%s", m2.sock);
	munged_stop(&m2);
	run_as(&r, user[0].name, sock, "-M", addr, "id -un", NULL);
	assert_one_line(&r, "rexec: munge: ", sock);
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The daemon's munged gone: the auth error, twice (munged's fault, not
 * the client's: no penalty), and the log says whose munged. */
Test(munge, munged_stopped_on_the_daemon_side)
{
	struct dt_result res;
	char *cred;

	munged_require();
	munged_start(&m1);
	munged_start(&m2);
	start_daemon(&m2, "allow_root = yes\n", false);
	munged_stop(&m2);
	for (int i = 0; i < 2; i++) {
		cred = munged_encode(&m1, 0, NULL);
		send_credential(cred, &res);
		assert_auth_error(&res, "munge: Socket communication error "
		    "(the server's munged)");
		dt_result_free(&res);
		free(cred);
	}
	cr_assert_eq(rexecd_wait_log(&d, "(the server's munged): Failed to "
	    "access", 5000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* munge = no: a credential is refused, not run as someone else. */
Test(munge, refused_when_not_enabled)
{
	struct rexec_run r;

	munged_require();
	make_accounts();
	munged_start(&m1);
	start_daemon(&m1, "munge = no\n", false);
	run_as(&r, user[0].name, m1.sock, "-M", addr, "id -un", NULL);
	assert_one_line(&r, "rexec: ", "munge: not enabled");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* -M -w: one credential per host (a replay would refuse the second). */
Test(munge, fleet_one_credential_per_host)
{
	struct rexec_run r;
	char port[16], want[512];
	size_t off = 0;

	munged_require();
	make_accounts();
	munged_start(&m1);
	start_daemon(&m1, "", true);
	snprintf(port, sizeof(port), "%d", d.port);
	run_as(&r, user[1].name, m1.sock, "-M", "-p", port, "-w",
	    "127.0.0.[2-9]", "-b", "id -un", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x, stderr: %s", r.status, r.err);
	snprintf(want, sizeof(want), "127.0.0.[2-9] (8)");
	cr_assert_not_null(strstr(r.out, want), "%s", r.out);
	cr_assert_not_null(strstr(r.out, user[1].name), "%s", r.out);
	rexec_run_free(&r);
	run_as(&r, user[1].name, m1.sock, "-M", "-p", port, "-w",
	    "127.0.0.[2-5]", "-f", "2", "id -un", NULL);
	for (int i = 2; i <= 5; i++)
		off += (size_t)snprintf(want + off, sizeof(want) - off,
		    "127.0.0.%d: %s\n", i, user[1].name);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x, stderr: %s", r.status, r.err);
	cr_assert_eq(strlen(r.out), strlen(want), "%s", r.out);
	for (int i = 2; i <= 5; i++) {
		char line[64];
		snprintf(line, sizeof(line), "127.0.0.%d: %s\n", i,
		    user[1].name);
		cr_assert_not_null(strstr(r.out, line), "%s", r.out);
	}
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* connect takes the same identity: rexec-ssh -W as each account reaches
 * the target as that account (the echo names its peer's owner). */
Test(munge, forwarding_as_the_credentials_account)
{
	struct rexec_run r;
	char target[64], want[64], dport[16];

	munged_require();
	make_accounts();
	munged_start(&m1);
	start_daemon(&m1, "", false);
	snprintf(dport, sizeof(dport), "%d", d.port);
	fwd_echo_start(&echo);
	snprintf(target, sizeof(target), "127.0.0.1:%d", echo.port);
	run_bin = rexec_ssh_bin();
	env_munge = true;
	for (int i = 0; i < 2; i++) {
		run_as(&r, user[i].name, m1.sock, "-p", dport, "-W", target,
		    "127.0.0.1", NULL);
		snprintf(want, sizeof(want), FWD_TRAILER_PREFIX "%u",
		    (unsigned)getpwnam(user[i].name)->pw_uid);
		cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
		    "status %#x, stderr: %s", r.status, r.err);
		cr_assert_eq(strncmp(r.out, want, strlen(want)), 0,
		    "as %s: %s", user[i].name, r.out);
		rexec_run_free(&r);
	}
	env_munge = false;
	run_bin = NULL;
	fwd_echo_stop(&echo);
	cr_assert_eq(rexecd_stop(&d), 0);
}
