/* SPDX-License-Identifier: ISC */
/* Every failure of rexec itself: status 255 and one line "rexec: HOST: …". */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

/* Whatever a failed assertion skipped is stopped here. */
static struct rexecd_proc d;
static pid_t fake_pid;

static void
cleanup(void)
{
	if (d.pid > 0)
		rexecd_stop(&d);
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, NULL, 0);
	}
}

TestSuite(client_errors, .fini = cleanup);

/* A listening socket on 127.0.0.1 with an ephemeral port. */
static int
listen_local(int backlog, int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, backlog), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A fake server: accepts one client, reads its first bytes, answers
 * reply (if any), then half-closes and reads until the client is gone (so
 * no reset can discard what it sent). */
static void
serve_one(int lfd, const void *reply, size_t len)
{
	char buf[4096];
	int c;

	if ((c = accept(lfd, NULL, NULL)) == -1)
		_exit(1);
	if (read(c, buf, sizeof(buf)) <= 0)
		_exit(1);
	if (len > 0 && write(c, reply, len) != (ssize_t)len)
		_exit(1);
	shutdown(c, SHUT_WR);
	while (read(c, buf, sizeof(buf)) > 0)
		;
	close(c);
}

/* Serves n clients in turn, client i getting the frame of headers[i]. */
static pid_t
fake_server_frames(int lfd, const char *const *headers, int n)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid != 0)
		return fake_pid = pid;
	for (int i = 0; i < n; i++) {
		unsigned char frame[512];
		size_t h = strlen(headers[i]);
		frame[0] = frame[1] = 0;
		frame[2] = (unsigned char)(h >> 8);
		frame[3] = (unsigned char)h;
		memcpy(frame + 4, headers[i], h);
		serve_one(lfd, frame, 4 + h);
	}
	_exit(0);
}

static pid_t
fake_server(int lfd, const void *reply, size_t len)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid != 0)
		return fake_pid = pid;
	serve_one(lfd, reply, len);
	_exit(0);
}

/* The fake server must have served every client it expected. */
static void
reap(pid_t pid)
{
	int status = 0;
	pid_t got = 0;

	for (int waited = 0; waited < 10000 && got == 0; waited += 10)
		if ((got = waitpid(pid, &status, WNOHANG)) == 0)
			test_sleep_ms(10);
	if (got == 0)
		cr_assert_fail("the fake server still waits for a client");
	fake_pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(client_errors, cannot_resolve)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "nosuch.invalid", "true", NULL);
	assert_one_line(&r, "rexec: nosuch.invalid: cannot resolve: ", NULL);
	rexec_run_free(&r);
}

Test(client_errors, connection_refused)
{
	struct rexec_run r;
	char addr[64];
	int port, fd = listen_local(1, &port);

	close(fd);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rexec_run(&r, NULL, addr, "true", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: cannot connect to port ",
	    "Connection refused");
	rexec_run_free(&r);
}

/*
 * Linux drops a SYN while the listener's accept queue is full: with a
 * backlog of 0, one unaccepted connection fills it and the next connect
 * can only time out.
 */
Test(client_errors, connect_timeout)
{
	struct rexec_opts o = { .timeout_ms = 30000 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rexec_run r;
	char port_s[16];
	int port, lfd = listen_local(0, &port), filler;

	filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	cr_assert_eq(connect(filler, (struct sockaddr *)&sin, sizeof(sin)), 0);
	snprintf(port_s, sizeof(port_s), "%d", port);
	rexec_run(&r, &o, "--connect-timeout", "0.5", "-p", port_s,
	    "127.0.0.1", "true", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: cannot connect to port ",
	    "timed out");
	rexec_run_free(&r);
	/* ssh's spelling, as clush passes it. */
	rexec_run(&r, &o, "-oConnectTimeout=1", "-p", port_s, "127.0.0.1",
	    "true", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: cannot connect to port ",
	    "timed out");
	close(filler);
	close(lfd);
	rexec_run_free(&r);
}

Test(client_errors, connection_lost_before_exit)
{
	struct rexec_run r;
	char addr[64];
	int port, lfd = listen_local(1, &port);
	pid_t srv = fake_server(lfd, NULL, 0);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rexec_run(&r, NULL, addr, "true", NULL);
	reap(srv);
	close(lfd);
	assert_one_line(&r, "rexec: 127.0.0.1: connection lost", NULL);
	rexec_run_free(&r);
}

Test(client_errors, protocol_error)
{
	static const char garbage[] = "\0\0\0\2{]";
	struct rexec_run r;
	char addr[64];
	int port, lfd = listen_local(1, &port);
	pid_t srv = fake_server(lfd, garbage, sizeof(garbage) - 1);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rexec_run(&r, NULL, addr, "true", NULL);
	reap(srv);
	close(lfd);
	assert_one_line(&r, "rexec: 127.0.0.1: protocol error: ", NULL);
	rexec_run_free(&r);
}

/* The worker whose title shows a command (the master is the command's
 * parent, the spawner). */
static pid_t
busy_worker(pid_t master)
{
	pid_t kids[64];
	size_t n = proc_children(master, kids, 64);
	char line[512];

	for (size_t i = 0; i < n; i++)
		if (proc_cmdline(kids[i], line, sizeof(line)) == 0 &&
		    strstr(line, "echo ready") != NULL)
			return kids[i];
	return 0;
}

/* The worker serving us dies mid command: the connection breaks. */
Test(client_errors, connection_lost_mid_command)
{
	struct rexec_run r;
	char addr[64];
	const char *argv[] = { rexec_bin(), addr,
	    "echo ready $$; exec sleep 60", NULL };
	int worker = 0, command = 0;

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_spawn(&r, NULL, argv);
	cr_assert_eq(rexec_wait_out(&r, "\n", 1, 20000), 0);
	r.out = read_file_all(r.out_path, NULL);
	cr_assert_eq(sscanf(r.out, "ready %d", &command), 1, "%s", r.out);
	worker = busy_worker(d.pid);
	cr_assert_gt(worker, 0, "no busy worker");
	free(r.out);
	r.out = NULL;
	cr_assert_eq(kill(worker, SIGKILL), 0);
	rexec_wait(&r);
	kill(command, SIGKILL);
	rexecd_stop(&d);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255,
	    "status %#x", r.status);
	cr_assert_not_null(strstr(r.err, "rexec: 127.0.0.1: connection lost"),
	    "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1);
	rexec_run_free(&r);
}

Test(client_errors, server_spawn_error)
{
	struct rexec_run r;
	char addr[64];

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	rexec_run(&r, NULL, "-C", "/nonexistent-dir", addr, "true", NULL);
	rexecd_stop(&d);
	assert_one_line(&r, "rexec: 127.0.0.1: spawn: ", "/nonexistent-dir");
	rexec_run_free(&r);
}

Test(client_errors, usage_errors)
{
	struct rexec_run r;

	rexec_run(&r, NULL, NULL);
	assert_one_line(&r, "rexec: missing host", NULL);
	rexec_run_free(&r);
	/* Without a command, a login shell: but argv needs words. */
	rexec_run(&r, NULL, "-A", "127.0.0.1", NULL);
	assert_one_line(&r, "rexec: -A needs a command", NULL);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-t", "soon", "127.0.0.1", "true", NULL);
	assert_one_line(&r, "rexec: -t wants a number of seconds", NULL);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-e", "NOEQUALS", "127.0.0.1", "true", NULL);
	assert_one_line(&r, "rexec: -e wants NAME=VALUE", NULL);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "--no-such-option", "127.0.0.1", "true", NULL);
	assert_one_line(&r, "rexec: ", "no-such-option");
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-p", "70000", "127.0.0.1", "true", NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: invalid port", NULL);
	rexec_run_free(&r);
	rexec_run(&r, NULL, "[::1", "true", NULL);
	assert_one_line(&r, "rexec: invalid address", NULL);
	rexec_run_free(&r);
}

#define BUSY	"{\"type\":\"error\",\"code\":\"busy\",\"message\":\"full\"}"

/* "busy" means nothing ran: rexec tries again, a bounded number of times. */
Test(client_errors, busy_is_retried)
{
	static const char *const replies[] = { BUSY, BUSY,
	    "{\"type\":\"exit\",\"code\":7}" };
	struct rexec_run r;
	char addr[64];
	int port, lfd = listen_local(8, &port);
	pid_t srv = fake_server_frames(lfd, replies, 3);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rexec_run(&r, NULL, addr, "true", NULL);
	reap(srv);
	close(lfd);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7,
	    "status %#x: %s", r.status, r.err);
	cr_assert_eq(r.err_len, 0, "%s", r.err);
	rexec_run_free(&r);
}

Test(client_errors, busy_gives_up)
{
	static const char *const replies[] = { BUSY, BUSY, BUSY, BUSY, BUSY };
	struct rexec_run r;
	char addr[64];
	int port, lfd = listen_local(8, &port);
	pid_t srv = fake_server_frames(lfd, replies, 5);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	rexec_run(&r, NULL, addr, "true", NULL);
	reap(srv);
	close(lfd);
	assert_one_line(&r, "rexec: 127.0.0.1: busy: full", NULL);
	rexec_run_free(&r);
}
