/* SPDX-License-Identifier: ISC */
/*
 * rexec-ssh -L through the real binary: bytes of every value both ways,
 * 50 connections at once through one process, half-close, a refused
 * target that closes only its connection, two -L, -L with a command,
 * where it listens (-g or loopback), -f, SIGTERM, a port in use.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "fwd_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "sshlink.h"

#define CONCURRENT	50
#define WAIT_MS		10000

/* One client connection of exchange(): its bytes out, the echo back. */
struct peer {
	int		 fd;
	unsigned char	*data;
	size_t		 len, sent, got;
	unsigned char	*back;
	size_t		 cap;
	bool		 shut, eof;
};

static struct rexecd_proc d;
static struct fwd_echo echo;
static char dport[16];

static void
setup(void)
{
	rexecd_start(&d, "workers = 4\nmax_workers = 80\n"
	    "max_startups = 100\nper_source_max_startups = 80\n", NULL);
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

TestSuite(client_forward_l, .init = setup, .fini = teardown, .timeout = 120);

/* A port nobody uses now (bound once, released). */
static int
free_port(void)
{
	int holder, port = fwd_closed_port(&holder);

	close(holder);
	return port;
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * The listening sockets on port, from /proc/net/tcp and tcp6: their
 * local addresses in hex ("0100007F", "00000000"...) joined by spaces,
 * and the inode of the first.
 */
static void
listening(int port, char *addrs, size_t len, unsigned long *inode)
{
	static const char *const files[] = { "/proc/net/tcp",
	    "/proc/net/tcp6" };
	char line[512], local[80], want[8];

	addrs[0] = '\0';
	*inode = 0;
	snprintf(want, sizeof(want), ":%04X", port);
	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");
		unsigned long ino;
		unsigned st;
		char *colon;

		if (f == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL) {
			if (sscanf(line, " %*s %79s %*s %x %*s %*s %*s %*s "
			    "%*s %lu", local, &st, &ino) != 3 || st != 0x0A ||
			    (colon = strrchr(local, ':')) == NULL ||
			    strcmp(colon, want) != 0)
				continue;
			*colon = '\0';
			if (*inode == 0)
				*inode = ino;
			snprintf(addrs + strlen(addrs), len - strlen(addrs),
			    "%s%s", addrs[0] ? " " : "", local);
		}
		fclose(f);
	}
}

/* Whether the list of listening addresses holds a. */
static bool
has_addr(const char *addrs, const char *a)
{
	size_t n = strlen(a);

	for (const char *p = addrs; (p = strstr(p, a)) != NULL; p += n)
		if ((p == addrs || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return true;
	return false;
}

/* Waits (bounded) until something listens on port; its addresses. */
static void
wait_listening(int port, char *addrs, size_t len)
{
	unsigned long inode;
	long long end = ms_now() + WAIT_MS;

	do {
		listening(port, addrs, len, &inode);
		if (inode != 0)
			return;
		test_sleep_ms(20);
	} while (ms_now() < end);
	cr_assert_fail("nothing listens on port %d", port);
}

/* The process holding the socket of inode, through /proc/PID/fd. */
static pid_t
socket_owner(unsigned long inode)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	char want[64], path[600], target[64];
	pid_t pid = -1;

	cr_assert_not_null(proc);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (pid == -1 && (de = readdir(proc)) != NULL) {
		DIR *fds;
		struct dirent *fe;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			ssize_t n;
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			    de->d_name, fe->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n > 0 && (target[n] = '\0', strcmp(target,
			    want) == 0)) {
				pid = atoi(de->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return pid;
}

static int
connect_port(int port, bool nonblock)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "connect to port %d: %s", port, strerror(errno));
	if (nonblock)
		cr_assert_neq(fcntl(fd, F_SETFL, O_NONBLOCK), -1);
	return fd;
}

static void
peer_io(struct peer *p, short revents)
{
	ssize_t n;

	if (revents & POLLOUT && p->sent < p->len &&
	    (n = send(p->fd, p->data + p->sent, p->len - p->sent,
	    MSG_NOSIGNAL)) > 0)
		p->sent += (size_t)n;
	if (p->sent == p->len && !p->shut) {
		cr_assert_eq(shutdown(p->fd, SHUT_WR), 0);
		p->shut = true;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	if (p->got == p->cap) {
		p->cap = p->cap * 2 + 4096;
		cr_assert_not_null(p->back = realloc(p->back, p->cap));
	}
	n = recv(p->fd, p->back + p->got, p->cap - p->got, 0);
	if (n > 0)
		p->got += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		p->eof = true;
}

/* Whether p came back whole: its bytes, then the echo's trailer (sent
 * once our half-close reached it). */
static bool
peer_ok(const struct peer *p)
{
	size_t tl = strlen(FWD_TRAILER_PREFIX);

	return p->got > p->len + tl && memcmp(p->back, p->data, p->len) == 0 &&
	    memcmp(p->back + p->len, FWD_TRAILER_PREFIX, tl) == 0 &&
	    p->back[p->got - 1] == '\n';
}

/*
 * n connections to port at once, connection i sending size + i bytes of
 * noise (every byte value), then shutting its write side, then reading
 * to the end; returns how many came back whole (bounded: 30 s).
 */
static int
exchange(int port, int n, size_t size)
{
	struct peer *p = calloc((size_t)n, sizeof(*p));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	long long end = ms_now() + 30000;
	int ok = 0, open = n;

	cr_assert(p != NULL && pfd != NULL);
	for (int i = 0; i < n; i++) {
		uint64_t x = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
		p[i].len = size + (size_t)i;
		cr_assert_not_null(p[i].data = malloc(p[i].len + 1));
		for (size_t k = 0; k < p[i].len; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			p[i].data[k] = (unsigned char)x;
		}
		p[i].fd = connect_port(port, true);
	}
	while (open > 0 && ms_now() < end) {
		for (int i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = p[i].eof ? -1 :
			    p[i].fd, .events = POLLIN |
			    (p[i].shut ? 0 : POLLOUT) };
		if (poll(pfd, (nfds_t)n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++)
			if (pfd[i].fd != -1 && pfd[i].revents != 0) {
				peer_io(&p[i], pfd[i].revents);
				open -= p[i].eof;
			}
	}
	for (int i = 0; i < n; i++) {
		ok += peer_ok(&p[i]);
		close(p[i].fd);
		free(p[i].data);
		free(p[i].back);
	}
	free(p);
	free(pfd);
	return ok;
}

static void
spec(char *buf, size_t len, const char *bind, int port, int target)
{
	snprintf(buf, len, "%s%s%d:127.0.0.1:%d", bind ? bind : "",
	    bind ? ":" : "", port, target);
}

/* rexec-ssh -p DPORT args... 127.0.0.1 [command], started. */
static void
start(struct rexec_run *r, const char *const *args, const char *cmd)
{
	const char *argv[16] = { rexec_ssh_bin(), "-p", dport };
	size_t n = 3;

	for (size_t i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n++] = "127.0.0.1";
	if (cmd != NULL)
		argv[n++] = cmd;
	argv[n] = NULL;
	rexec_spawn(r, NULL, argv);
}

static void
stop_term(struct rexec_run *r, int want_status)
{
	kill(r->pid, SIGTERM);
	rexec_wait(r);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) ==
	    want_status, "status %#x: %s", r->status, r->err);
}

Test(client_forward_l, every_byte_value_both_ways_and_half_close)
{
	struct rexec_run r;
	char l[64], addrs[256];
	int port = free_port();

	spec(l, sizeof(l), NULL, port, echo.port);
	start(&r, (const char *const[]){ "-N", "-L", l, NULL }, NULL);
	wait_listening(port, addrs, sizeof(addrs));
	cr_assert_eq(exchange(port, 1, 4 << 20), 1, "4 MiB");
	cr_assert_eq(exchange(port, 1, 0), 1, "nothing sent");
	cr_assert_eq(exchange(port, 1, 1), 1, "one byte");
	stop_term(&r, 0);
	cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
	rexec_run_free(&r);
}

Test(client_forward_l, fifty_at_once_through_one_process)
{
	struct rexec_run r;
	char l[64], addrs[256];
	int port = free_port();

	spec(l, sizeof(l), NULL, port, echo.port);
	start(&r, (const char *const[]){ "-N", "-L", l, NULL }, NULL);
	wait_listening(port, addrs, sizeof(addrs));
	cr_assert_eq(exchange(port, CONCURRENT, 128 * 1024), CONCURRENT);
	stop_term(&r, 0);
	rexec_run_free(&r);
}

/* Two -L; the one whose target refuses closes only its connection. */
Test(client_forward_l, refused_target_closes_only_its_connection)
{
	struct rexec_run r;
	char l1[64], l2[64], addrs[256], c;
	int holder, closed = fwd_closed_port(&holder);
	int p1 = free_port(), p2 = free_port(), fd;

	spec(l1, sizeof(l1), NULL, p1, echo.port);
	spec(l2, sizeof(l2), NULL, p2, closed);
	start(&r, (const char *const[]){ "-N", "-L", l1, "-L", l2, NULL },
	    NULL);
	wait_listening(p1, addrs, sizeof(addrs));
	wait_listening(p2, addrs, sizeof(addrs));
	fd = connect_port(p2, false);
	cr_assert_eq(read(fd, &c, 1), 0, "the refused forward stays open");
	close(fd);
	cr_assert_eq(exchange(p1, 3, 1000), 3);
	cr_assert_eq(kill(r.pid, 0), 0, "it did not go on");
	stop_term(&r, 0);
	close(holder);
	cr_assert_eq(strncmp(r.err, "rexec: 127.0.0.1: connect: ", 27), 0,
	    "stderr: %s", r.err);
	cr_assert_not_null(strstr(r.err, "refused"), "stderr: %s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1,
	    "not one line: %s", r.err);
	rexec_run_free(&r);
}

/* With a command: forwards while it runs; its status when it ends. */
Test(client_forward_l, with_a_command_until_it_ends)
{
	struct rexec_run r;
	char l[64], addrs[256], flag[64], cmd[200];
	unsigned long inode;
	int port = free_port();

	snprintf(flag, sizeof(flag), "/tmp/forwardl-flag-%d", (int)getpid());
	unlink(flag);
	snprintf(cmd, sizeof(cmd), "i=0; while [ ! -e %s ] && [ $i -lt 600 ]; "
	    "do sleep 0.05; i=$((i+1)); done; exit 7", flag);
	spec(l, sizeof(l), NULL, port, echo.port);
	start(&r, (const char *const[]){ "-L", l, NULL }, cmd);
	wait_listening(port, addrs, sizeof(addrs));
	cr_assert_eq(exchange(port, 4, 10000), 4);
	cr_assert_neq(creat(flag, 0600), -1);
	rexec_wait(&r);
	unlink(flag);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 7,
	    "status %#x: %s", r.status, r.err);
	listening(port, addrs, sizeof(addrs), &inode);
	cr_assert_eq(inode, 0, "still listening");
	rexec_run_free(&r);
}

/* Loopback only unless -g; an explicit address wins over -g. */
Test(client_forward_l, loopback_unless_gateway)
{
	static const struct {
		const char	*g, *bind, *want, *not;
	} cases[] = {
		{ NULL, NULL, "0100007F", "00000000" },
		{ "-g", NULL, "00000000", "0100007F" },
		{ "-g", "127.0.0.1", "0100007F", "00000000" },
		{ NULL, "*", "00000000", "0100007F" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rexec_run r;
		char l[64], addrs[512] = "";
		unsigned long inode;
		long long end;
		int port = free_port();

		spec(l, sizeof(l), cases[i].bind, port, echo.port);
		start(&r, cases[i].g != NULL ? (const char *const[]){
		    cases[i].g, "-N", "-L", l, NULL } :
		    (const char *const[]){ "-N", "-L", l, NULL }, NULL);
		/* Bound one address after the other: till the v4 one. */
		for (end = ms_now() + WAIT_MS; ms_now() < end &&
		    !has_addr(addrs, cases[i].want); test_sleep_ms(20))
			listening(port, addrs, sizeof(addrs), &inode);
		cr_assert(has_addr(addrs, cases[i].want), "%zu: %s", i,
		    addrs);
		cr_assert_not(has_addr(addrs, cases[i].not), "%zu: %s", i,
		    addrs);
		stop_term(&r, 0);
		rexec_run_free(&r);
	}
}

/* -f: back at once with 0, serving from the background, stopped by its
 * pid (found by its listening socket). */
Test(client_forward_l, background_serves_until_stopped)
{
	struct rexec_run r;
	char l[64], addrs[256];
	unsigned long inode;
	long long end;
	pid_t pid;
	int port = free_port();

	spec(l, sizeof(l), NULL, port, echo.port);
	start(&r, (const char *const[]){ "-f", "-N", "-L", l, NULL }, NULL);
	rexec_wait(&r);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	listening(port, addrs, sizeof(addrs), &inode);
	cr_assert_neq(inode, 0, "not listening once -f returned");
	cr_assert_gt(pid = socket_owner(inode), 0);
	cr_assert_neq(pid, r.pid);
	cr_assert_eq(exchange(port, 3, 5000), 3);
	cr_assert_eq(kill(pid, SIGTERM), 0);
	for (end = ms_now() + WAIT_MS; kill(pid, 0) == 0 && ms_now() < end;)
		test_sleep_ms(20);
	cr_assert_neq(kill(pid, 0), 0, "still running");
	rexec_run_free(&r);
}

/* SIGTERM with forwards open: exit 0 (as ssh -N), every worker idle. */
Test(client_forward_l, sigterm_leaves_no_busy_worker)
{
	struct rexec_run r;
	char l[64], addrs[256], buf[8];
	pid_t pids[256];
	int port = free_port(), fd[5], idle = -1, all = 0;
	long long end;

	spec(l, sizeof(l), NULL, port, echo.port);
	start(&r, (const char *const[]){ "-N", "-L", l, NULL }, NULL);
	wait_listening(port, addrs, sizeof(addrs));
	for (int i = 0; i < 5; i++) {
		fd[i] = connect_port(port, false);
		cr_assert_eq(write(fd[i], "ping", 4), 4);
		cr_assert_eq(read(fd[i], buf, 4), 4, "no echo");
	}
	cr_assert_lt(dt_workers(d.pid, "idle", pids, 256),
	    dt_workers(d.pid, NULL, pids, 256), "no worker busy");
	stop_term(&r, 0);
	for (int i = 0; i < 5; i++) {
		cr_assert_leq(read(fd[i], buf, sizeof(buf)), 0);
		close(fd[i]);
	}
	for (end = ms_now() + WAIT_MS; ms_now() < end; test_sleep_ms(20)) {
		all = dt_workers(d.pid, NULL, pids, 256);
		if ((idle = dt_workers(d.pid, "idle", pids, 256)) == all)
			break;
	}
	cr_assert_eq(idle, all, "%d of %d workers idle", idle, all);
	rexec_run_free(&r);
}

/* A port in use: 255 and one line at once, as ExitOnForwardFailure. */
Test(client_forward_l, port_in_use_fails_at_start)
{
	struct rexec_run r;
	char l[64];
	int holder, port = fwd_closed_port(&holder);

	cr_assert_eq(listen(holder, 1), 0);
	spec(l, sizeof(l), "127.0.0.1", port, echo.port);
	start(&r, (const char *const[]){ "-N", "-L", l, NULL }, NULL);
	rexec_wait(&r);
	close(holder);
	assert_one_line(&r, "rexec: -L: cannot listen on 127.0.0.1 port ",
	    "in use");
	rexec_run_free(&r);
}

Test(client_forward_l, f_without_command_is_a_usage_error)
{
	struct rexec_run r;

	start(&r, (const char *const[]){ "-f", NULL }, NULL);
	rexec_wait(&r);
	assert_one_line(&r, "rexec: -f needs a command or -N", NULL);
	rexec_run_free(&r);
}
