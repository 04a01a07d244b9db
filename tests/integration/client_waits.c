/* SPDX-License-Identifier: ISC */
/*
 * The client's waits (issue 19): the last flush of output hears signals,
 * a host that failed is not taken for a connected one, and names are
 * resolved together while the connections go on.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"

#define WAIT_MS		20000
/* The names the fake DNS server knows, all 127.0.0.1. */
#define NAMES		4
#define NAME_FMT	"n%d.cli19.test"
/* The DNS server gives up on seeing every name asked at once. */
#define DNS_HOLD_MS	15000

static struct rexecd_proc d;
static char tmpdir[] = "/tmp/rexec-cli19-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", tmpdir);
}

TestSuite(client_waits, .init = setup, .fini = teardown);

/* Waits (bounded) for pid; kills it and fails the test after WAIT_MS. */
static int
wait_bounded(pid_t pid, const char *what)
{
	int status;

	for (int waited = 0; waited < WAIT_MS; waited += 20) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		cr_assert_neq(r, -1, "waitpid: %s", strerror(errno));
		if (r == pid)
			return status;
		test_sleep_ms(20);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	cr_assert_fail("%s did not end within %d ms", what, WAIT_MS);
	return -1;
}

/* argv with stdout onto out_fd, stderr into err_path, stdin /dev/null. */
static pid_t
spawn(const char *const *argv, int out_fd, const char *err_path)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (in == -1 || err == -1 || dup2(in, 0) == -1 ||
		    dup2(out_fd, 1) == -1 || dup2(err, 2) == -1)
			_exit(127);
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	return pid;
}

/* Bytes waiting in a pipe. */
static int
pipe_held(int fd)
{
	int n = 0;

	cr_assert_neq(ioctl(fd, FIONREAD, &n), -1);
	return n;
}

/*
 * --json holds every host's output until it ends, then prints its line:
 * with nobody reading the pipe, that last flush waits, and SIGTERM must
 * still end rexec (before issue 19 it stayed blocked in poll forever).
 */
Test(client_waits, sigterm_ends_a_flush_into_a_stalled_pipe)
{
	char addr[64], err[PATH_MAX];
	int p[2], size, status;
	pid_t pid;

	rexecd_start(&d, NULL, NULL);
	rexec_addr(addr, sizeof(addr), &d);
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_gt(size = fcntl(p[0], F_GETPIPE_SZ), 0);
	const char *argv[] = { rexec_bin(), "--json", "-w", addr,
	    "head -c 300000 /dev/zero | tr '\\0' a", NULL };
	pid = spawn(argv, p[1], err);
	close(p[1]);
	/* Output reaches the pipe only in the last flush: a full pipe
	 * means rexec waits there. */
	for (int waited = 0; pipe_held(p[0]) < size; waited += 20) {
		cr_assert_lt(waited, WAIT_MS, "the pipe never filled");
		test_sleep_ms(20);
	}
	cr_assert_eq(kill(pid, SIGTERM), 0);
	status = wait_bounded(pid, "rexec after SIGTERM");
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "status %#x", status);
	close(p[0]);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* A TCP port on 127.0.0.1: refusing (bound, not listening), or whose
 * connects never complete (a full backlog of one it never accepts). */
static int
port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	return ntohs(sin.sin_port);
}

static int
local_socket(bool listening, int *filler)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	if (!listening)
		return fd;
	cr_assert_eq(listen(fd, 0), 0);
	sin.sin_port = htons((uint16_t)port_of(fd));
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(connect(*filler, (struct sockaddr *)&sin, sizeof(sin)),
	    0);
	return fd;
}

/* Waits (bounded) until the file holds needle. */
static void
wait_file(const char *path, const char *needle)
{
	for (int waited = 0; ; waited += 20) {
		char *s = read_file_all(path, NULL);
		bool found = s != NULL && strstr(s, needle) != NULL;
		free(s);
		if (found)
			return;
		cr_assert_lt(waited, WAIT_MS, "%s never held '%s'", path,
		    needle);
		test_sleep_ms(20);
	}
}

/*
 * rexec forwards the signals it gets once connected; before that they
 * act as on any process.  A host refused at once must not count as
 * connected (issue 19: finish() forced the run phase): while the other
 * one still waits for its connect, SIGTERM ends rexec by that signal,
 * not as "interrupted" with status 255.
 */
Test(client_waits, a_failed_host_is_not_connected)
{
	char hosts[128], err[PATH_MAX];
	int refusing, stalled, filler = -1, null, status;
	pid_t pid;

	refusing = local_socket(false, NULL);
	stalled = local_socket(true, &filler);
	snprintf(hosts, sizeof(hosts), "127.0.0.1:%d,127.0.0.1:%d",
	    port_of(refusing), port_of(stalled));
	snprintf(err, sizeof(err), "%s/err", tmpdir);
	cr_assert_neq(null = open("/dev/null", O_WRONLY | O_CLOEXEC), -1);
	const char *argv[] = { rexec_bin(), "-f", "2", "--connect-timeout",
	    "60", "-w", hosts, "true", NULL };
	pid = spawn(argv, null, err);
	wait_file(err, "cannot connect");
	cr_assert_eq(kill(pid, SIGTERM), 0);
	status = wait_bounded(pid, "rexec after SIGTERM");
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "status %#x: the refused host was taken for a connected one",
	    status);
	close(null);
	close(filler);
	close(stalled);
	close(refusing);
}

/* The dotted, lower-case name of a DNS question at q; its end, or NULL. */
static const unsigned char *
qname(const unsigned char *q, const unsigned char *end, char *name,
    size_t len)
{
	size_t off = 0;

	while (q < end && *q != 0) {
		size_t n = *q++;
		if (n > 63 || q + n > end || off + n + 2 > len)
			return NULL;
		if (off > 0)
			name[off++] = '.';
		for (size_t i = 0; i < n; i++)
			name[off++] = (char)(q[i] | 0x20);
		q += n;
	}
	name[off] = '\0';
	return q < end ? q + 1 : NULL;
}

struct query {
	struct sockaddr_in	from;
	unsigned char		msg[512];
	size_t			len;	/* header and question only */
	bool			a;	/* type A: answered 127.0.0.1 */
};

/* Answers q: 127.0.0.1 for type A, no record for any other type. */
static void
answer(int fd, struct query *q)
{
	static const unsigned char rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0,
	    60, 0, 4, 127, 0, 0, 1 };

	q->msg[2] = 0x81;	/* QR, RD */
	q->msg[3] = 0x80;	/* RA, NOERROR */
	memset(q->msg + 6, 0, 6);
	q->msg[7] = q->a;	/* ancount */
	if (q->a) {
		memcpy(q->msg + q->len, rr, sizeof(rr));
		q->len += sizeof(rr);
	}
	(void)sendto(fd, q->msg, q->len, 0, (struct sockaddr *)&q->from,
	    sizeof(q->from));
}

/* One query read into q; false when it is not one to answer. */
static bool
read_query(int fd, struct query *q, char *name, size_t namelen)
{
	socklen_t flen = sizeof(q->from);
	ssize_t n = recvfrom(fd, q->msg, sizeof(q->msg) - 32, 0,
	    (struct sockaddr *)&q->from, &flen);
	const unsigned char *end;

	if (n < 12 || (end = qname(q->msg + 12, q->msg + n, name,
	    namelen)) == NULL || end + 4 > q->msg + n)
		return false;
	q->a = end[0] == 0 && end[1] == 1;
	q->len = (size_t)(end + 4 - q->msg);
	return true;
}

/*
 * A DNS server that holds every answer until it has been asked for all
 * NAMES names: a client that waits for one answer before it asks the
 * next question gets none (the server then exits, DNS_HOLD_MS on).
 */
static void
dns_server(int fd)
{
	static struct query held[64];
	bool asked[NAMES + 1] = { false };
	size_t nheld = 0;
	int seen = 0;
	char name[256];

	alarm(DNS_HOLD_MS / 1000 + 30);
	for (;;) {
		struct query *q = &held[nheld < 63 ? nheld : 63];
		int k;
		if (!read_query(fd, q, name, sizeof(name)))
			continue;
		if (q->a && sscanf(name, NAME_FMT, &k) == 1 && k >= 1 &&
		    k <= NAMES && !asked[k]) {
			asked[k] = true;
			seen++;
		}
		if (seen < NAMES) {
			nheld += nheld < 63;
			continue;
		}
		for (size_t i = 0; i < nheld; i++)
			answer(fd, &held[i]);
		nheld = 0;
		answer(fd, q);
	}
}

/* This test's own network (lo only) and /etc/resolv.conf naming a DNS
 * server on 127.0.0.1 in it; the rest of the machine sees neither. */
static void
private_network(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	char conf[PATH_MAX];
	FILE *f;
	int s;

	if (geteuid() != 0)
		cr_skip_test("client_waits: a private resolv.conf needs root");
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) == -1)
		cr_skip_test("client_waits: unshare: %s", strerror(errno));
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
	snprintf(conf, sizeof(conf), "%s/resolv.conf", tmpdir);
	cr_assert_not_null(f = fopen(conf, "w"));
	fputs("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n", f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(mount(conf, "/etc/resolv.conf", NULL, MS_BIND, NULL), 0,
	    "bind mount over /etc/resolv.conf: %s", strerror(errno));
	cr_assert_neq(s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
}

static pid_t
start_dns(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(53), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	cr_assert_neq(fd, -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		dns_server(fd);
		_exit(0);
	}
	close(fd);
	return pid;
}

/*
 * A fleet of names: every lookup is under way at once (the DNS server
 * answers none until it was asked for all of them), and every host runs
 * its command.  Resolving one name after another fails here.
 */
Test(client_waits, names_resolve_together)
{
	char list[256], port[16];
	struct rexec_run r;
	pid_t dns;
	int status;

	private_network();
	dns = start_dns();
	rexecd_start(&d, NULL, NULL);
	snprintf(port, sizeof(port), "%d", d.port);
	snprintf(list, sizeof(list), "n[1-%d].cli19.test", NAMES);
	rexec_run(&r, NULL, "-p", port, "-w", list, "echo ran", NULL);
	cr_assert_eq(kill(dns, SIGKILL), 0);
	waitpid(dns, &status, 0);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	for (int k = 1; k <= NAMES; k++) {
		char line[64];
		snprintf(line, sizeof(line), NAME_FMT ": ran\n", k);
		cr_assert_not_null(strstr(r.out, line), "no '%s' in: %s",
		    line, r.out);
	}
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* $CARES_HOSTS, a hosts file of the user's, names a fleet without DNS. */
Test(client_waits, names_from_a_private_hosts_file)
{
	char hosts[PATH_MAX], list[64], port[16];
	const char *env[2];
	char envvar[PATH_MAX + 16];
	struct rexec_run r;
	FILE *f;

	rexecd_start(&d, NULL, NULL);
	snprintf(hosts, sizeof(hosts), "%s/hosts", tmpdir);
	cr_assert_not_null(f = fopen(hosts, "w"));
	for (int k = 1; k <= NAMES; k++)
		fprintf(f, "127.0.0.1 " NAME_FMT "\n", k);
	cr_assert_eq(fclose(f), 0);
	snprintf(envvar, sizeof(envvar), "CARES_HOSTS=%s", hosts);
	env[0] = envvar;
	env[1] = NULL;
	snprintf(port, sizeof(port), "%d", d.port);
	snprintf(list, sizeof(list), "n[1-%d].cli19.test", NAMES);
	rexec_run(&r, &(struct rexec_opts){ .env = env }, "-p", port, "-w",
	    list, "echo ran", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	for (int k = 1; k <= NAMES; k++) {
		char line[64];
		snprintf(line, sizeof(line), NAME_FMT ": ran\n", k);
		cr_assert_not_null(strstr(r.out, line), "no '%s' in: %s",
		    line, r.out);
	}
	rexec_run_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}
