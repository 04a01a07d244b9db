/* SPDX-License-Identifier: ISC */
/*
 * The connect request (files.md, Forwarding) in raw frames: bytes both
 * ways of any value and size, half-close both ways, refused and
 * unreachable targets, allow_forward, bad requests, a signal, a client
 * that goes away, and the account the connection is made as.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "frameio.h"
#include "fwd_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;
static struct fwd_echo echo;

static void
setup(void)
{
	rexecd_start(&d, "workers = 2\nconnect_timeout = 2\n", NULL);
	fwd_echo_start(&echo);
}

static void
teardown(void)
{
	fwd_echo_stop(&echo);
	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
}

TestSuite(daemon_forward, .init = setup, .fini = teardown, .timeout = 60);

/* A connect request to host:port with extra members (JSON, may be ""). */
static void
forward(const struct rexecd_proc *rd, const char *host, int port,
    const char *extra, const void *in, size_t inlen, struct dt_result *r)
{
	char json[512];
	int fd = rexecd_connect(rd);

	cr_assert_neq(fd, -1);
	snprintf(json, sizeof(json), "{\"type\": \"connect\", \"host\": "
	    "\"%s\", \"port\": %d%s}", host, port, extra);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	memset(r, 0, sizeof(*r));
	dt_session(fd, in, inlen, true, 30000, r);
	close(fd);
}

/* The echo, then the trailer its end of input brought; the owner. */
static long
check_echo(const struct dt_result *r, const void *in, size_t n)
{
	const char *t = r->out + n;

	cr_assert(r->started && r->pid == 0, "started %d pid %d: %s",
	    r->started, (int)r->pid, r->err.message);
	cr_assert(r->got_exit && r->st.exited && r->st.code == 0,
	    "no exit 0: %s", r->err.message);
	cr_assert_geq(r->out_len, n + strlen(FWD_TRAILER_PREFIX));
	cr_assert_eq(memcmp(r->out, in, n), 0, "the bytes differ");
	cr_assert_eq(strncmp(t, FWD_TRAILER_PREFIX,
	    strlen(FWD_TRAILER_PREFIX)), 0, "no trailer: the end of input "
	    "did not reach the target");
	cr_assert_eq(r->out[r->out_len - 1], '\n');
	return strtol(t + strlen(FWD_TRAILER_PREFIX), NULL, 10);
}

Test(daemon_forward, bytes_of_every_value_both_ways)
{
	size_t n = 3 * 1024 * 1024 + 17;
	unsigned char *in = malloc(n);
	struct dt_result r;

	cr_assert_not_null(in);
	for (size_t i = 0; i < n; i++)
		in[i] = (unsigned char)(i * 7 + i / 251);
	forward(&d, "127.0.0.1", echo.port, "", in, n, &r);
	check_echo(&r, in, n);
	cr_assert_eq(r.stdin_sent, n);
	dt_result_free(&r);
	free(in);
}

/* Nothing sent: the end of input alone goes through, and the answer
 * after it comes back (a half-close each way). */
Test(daemon_forward, half_close_with_nothing_sent)
{
	struct dt_result r;

	forward(&d, "localhost", echo.port, "", NULL, 0, &r);
	check_echo(&r, "", 0);
	dt_result_free(&r);
}

Test(daemon_forward, refused_target_is_a_connect_error)
{
	struct dt_result r;
	int holder, port = fwd_closed_port(&holder);

	forward(&d, "127.0.0.1", port, "", "x", 1, &r);
	close(holder);
	cr_assert(r.got_error && !r.started);
	cr_assert_eq(r.err.code, ERR_CONNECT, "%s", r.err.message);
	cr_assert_not_null(strstr(r.err.message, "refused"), "%s",
	    r.err.message);
	dt_result_free(&r);
}

Test(daemon_forward, unknown_name_is_a_connect_error)
{
	struct dt_result r;

	forward(&d, "no-such-host.invalid", 80, "", NULL, 0, &r);
	cr_assert(r.got_error && !r.started);
	cr_assert_eq(r.err.code, ERR_CONNECT, "%s", r.err.message);
	dt_result_free(&r);
}

Test(daemon_forward, bad_requests)
{
	static const char *const bad[] = {
		"{\"type\": \"connect\", \"port\": 22}",
		"{\"type\": \"connect\", \"host\": \"h\"}",
		"{\"type\": \"connect\", \"host\": \"h\", \"port\": 0}",
		"{\"type\": \"connect\", \"host\": \"h\", \"port\": 65536}",
		"{\"type\": \"connect\", \"host\": \"h\", \"port\": \"22\"}",
		"{\"type\": \"connect\", \"host\": \"a b\", \"port\": 22}",
		"{\"type\": \"connect\", \"host\": \"\", \"port\": 22}",
		"{\"type\": \"connect\", \"host\": 7, \"port\": 22}",
		"{\"type\": \"connect\", \"host\": \"h\", \"port\": 22, "
		    "\"user\": 1}",
		"{\"type\": \"connect\", \"host\": \"h\", \"port\": 22, "
		    "\"munge\": []}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dt_result r;

		dt_run(&d, bad[i], NULL, 0, &r);
		cr_assert(r.got_error, "%s: no error", bad[i]);
		cr_assert_eq(r.err.code, ERR_BAD_REQUEST, "%s: %s", bad[i],
		    r.err.message);
		dt_result_free(&r);
	}
}

Test(daemon_forward, another_version_is_refused)
{
	struct dt_result r;

	dt_run(&d, "{\"type\": \"connect\", \"version\": 2, \"host\": \"h\", "
	    "\"port\": 22}", NULL, 0, &r);
	cr_assert(r.got_error);
	cr_assert_eq(r.err.code, ERR_VERSION);
	dt_result_free(&r);
}

/* A credential where munge = no: refused as for exec (the munge suite
 * has the accepted ones). */
Test(daemon_forward, munge_member_refused_when_not_enabled)
{
	struct dt_result r;

	forward(&d, "127.0.0.1", echo.port, ", \"munge\": \"MUNGE:x\"", "ab",
	    2, &r);
	cr_assert(r.got_error && !r.started, "not refused");
	cr_assert_eq(r.err.code, ERR_AUTH);
	cr_assert_str_eq(r.err.message, "munge: not enabled");
	dt_result_free(&r);
}

/* A signal ends a connection as it would end a command. */
Test(daemon_forward, signal_ends_it)
{
	struct dt_result r = { 0 };
	struct json_t *h;
	int fd = rexecd_connect(&d);
	char json[128];

	snprintf(json, sizeof(json), "{\"type\": \"connect\", \"host\": "
	    "\"127.0.0.1\", \"port\": %d}", echo.port);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	h = msg_signal(SIGINT);
	cr_assert_eq(msg_send(fd, h), 0);
	cr_assert_eq(dt_read_until(fd, "exit", 10000, &r), 0);
	cr_assert(!r.st.exited && r.st.signal == SIGINT);
	close(fd);
	dt_result_free(&r);
}

/* The client gone, the target is closed and the worker logs it. */
Test(daemon_forward, client_going_away_ends_it)
{
	struct dt_result r = { 0 };
	int fd = rexecd_connect(&d);
	char json[128];

	snprintf(json, sizeof(json), "{\"type\": \"connect\", \"host\": "
	    "\"127.0.0.1\", \"port\": %d}", echo.port);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, &r), 0);
	cr_assert_eq(frame_write_data(fd, FRAME_STDIN, "abc", 3), 0);
	close(fd);
	cr_assert_eq(rexecd_wait_log(&d, "client disconnected", 10000), 0,
	    "no log line for the client's going away");
	dt_result_free(&r);
}

Test(daemon_forward, logged_like_a_command)
{
	struct dt_result r;
	char needle[96];

	forward(&d, "127.0.0.1", echo.port, "", "hello", 5, &r);
	check_echo(&r, "hello", 5);
	snprintf(needle, sizeof(needle), "(connect 127.0.0.1:%d)': exit 0, ",
	    echo.port);
	cr_assert_eq(rexecd_wait_log(&d, needle, 10000), 0, "no log line");
	cr_assert_eq(rexecd_wait_log(&d, "bytes out, 5 in, ", 10000), 0);
	dt_result_free(&r);
}

Test(daemon_forward, allow_forward_no_refuses)
{
	struct rexecd_proc d2;
	struct dt_result r;

	rexecd_start(&d2, "workers = 1\nallow_forward = no\n", NULL);
	forward(&d2, "127.0.0.1", echo.port, "", NULL, 0, &r);
	cr_assert(r.got_error && !r.started);
	cr_assert_eq(r.err.code, ERR_AUTH, "%s", r.err.message);
	cr_assert_not_null(strstr(r.err.message, "allow_forward"));
	dt_result_free(&r);
	cr_expect_eq(rexecd_stop(&d2), 0);
}

/* A token is needed as for exec. */
Test(daemon_forward, token_checked_as_for_exec)
{
	struct rexecd_proc d2;
	struct dt_result r;
	char conf[PATH_MAX + 128], tok[PATH_MAX];
	FILE *f;

	snprintf(tok, sizeof(tok), "/tmp/forward-token-%d", (int)getpid());
	cr_assert_not_null(f = fopen(tok, "w"));
	fputs("s3cret\n", f);
	fclose(f);
	chmod(tok, 0600);
	snprintf(conf, sizeof(conf), "workers = 1\ntoken_file = %s\n"
	    "per_source_penalty_authfail = 0\n", tok);
	rexecd_start(&d2, conf, NULL);
	forward(&d2, "127.0.0.1", echo.port, "", NULL, 0, &r);
	cr_assert(r.got_error && r.err.code == ERR_AUTH, "%s", r.err.message);
	dt_result_free(&r);
	forward(&d2, "127.0.0.1", echo.port, ", \"token\": \"s3cret\"", "t",
	    1, &r);
	check_echo(&r, "t", 1);
	dt_result_free(&r);
	cr_expect_eq(rexecd_stop(&d2), 0);
	unlink(tok);
}

/* The daemon's default account: the invoking user's when not root. */
Test(daemon_forward, made_as_the_default_account)
{
	struct dt_result r;

	forward(&d, "127.0.0.1", echo.port, "", "u", 1, &r);
	cr_assert_eq(check_echo(&r, "u", 1), (long)geteuid());
	dt_result_free(&r);
}

/* useradd waits for nobody: another one holding the lock means retry. */
static int
account_tool(const char *cmd)
{
	int st = -1;

	for (int i = 0; i < 50; i++) {
		st = system(cmd);
		if (!WIFEXITED(st) || (WEXITSTATUS(st) != 1 &&
		    WEXITSTATUS(st) != 10))
			break;
		test_sleep_ms(100);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* As root: a throw-away account; the target sees it own the socket. */
Test(daemon_forward, made_as_the_account_asked_for)
{
	struct rexecd_proc d2;
	struct dt_result r;
	struct passwd *pw;
	char name[32], cmd[128], conf[128], extra[64];

	if (geteuid() != 0)
		cr_skip_test("needs root to create a throw-away account");
	snprintf(name, sizeof(name), "forward%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "useradd -M -N -s /bin/sh -p '*' %s", name);
	cr_assert_eq(account_tool(cmd), 0, "%s", cmd);
	pw = getpwnam(name);
	cr_assert_not_null(pw);
	snprintf(conf, sizeof(conf), "workers = 1\nusers = %s\n", name);
	rexecd_start(&d2, conf, NULL);
	snprintf(extra, sizeof(extra), ", \"user\": \"%s\"", name);
	forward(&d2, "127.0.0.1", echo.port, extra, "a", 1, &r);
	cr_expect_eq(check_echo(&r, "a", 1), (long)pw->pw_uid,
	    "not made as %s", name);
	dt_result_free(&r);
	cr_expect_eq(rexecd_stop(&d2), 0);
	snprintf(cmd, sizeof(cmd), "userdel %s", name);
	cr_expect_eq(account_tool(cmd), 0, "%s", cmd);
}

/*
 * In a network namespace of this test's own (gone with its process):
 * no route (at once), and a silent address (after connect_timeout): its
 * neighbour entry names a MAC nobody has, so the veth's far end drops
 * every packet sent to it.
 */
Test(daemon_forward, unreachable_targets)
{
	struct rexecd_proc d2;
	struct dt_result r;

	if (geteuid() != 0)
		cr_skip_test("needs root for a network namespace");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	cr_assert_eq(system("ip link set lo up && "
	    "ip link add fwd0 type veth peer name fwd1 && "
	    "ip addr add 10.213.0.1/24 dev fwd0 && ip link set fwd0 up && "
	    "ip link set fwd1 up && ip neigh add 10.213.0.2 "
	    "lladdr 02:00:00:00:00:99 dev fwd0 nud permanent"), 0);
	rexecd_start(&d2, "workers = 1\nconnect_timeout = 1\n", NULL);
	forward(&d2, "10.214.0.1", 80, "", NULL, 0, &r);
	cr_assert(r.got_error && r.err.code == ERR_CONNECT, "%s",
	    r.err.message);
	cr_assert_not_null(strstr(r.err.message, "unreachable"), "%s",
	    r.err.message);
	dt_result_free(&r);
	forward(&d2, "10.213.0.2", 80, "", NULL, 0, &r);
	cr_assert(r.got_error && r.err.code == ERR_CONNECT, "%s",
	    r.err.message);
	cr_assert_not_null(strstr(r.err.message, "timed out"), "%s",
	    r.err.message);
	dt_result_free(&r);
	cr_expect_eq(rexecd_stop(&d2), 0);
}
