/* SPDX-License-Identifier: ISC */
/*
 * A client whose network vanishes (issue 18): rexecd in one network
 * namespace, the client in another, a veth pair between them, deleted
 * while the command runs.  Keepalive must free the worker, end the
 * command's group and leave no connection behind.  Needs root and
 * ip netns: skipped without.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "proc_scan.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

/* Addresses inside the two namespaces only. */
#define SERVER_ADDR	"10.213.0.1"
#define CLIENT_ADDR	"10.213.0.2"
#define NET_PREFIX	"/30"
/* keepalive = 2: gone well within this, however loaded the machine. */
#define VANISH_WAIT_MS	30000
#define TCP_ESTABLISHED_ST	1

struct pair {
	char	server[32], client[32];		/* netns names */
	char	sdev[16], cdev[16];		/* veth ends */
	bool	made_server, made_client;
};

static struct pair net;
static struct rexecd_proc d;
static char marker[32];

static void	cleanup(void);

TestSuite(hostile_vanish, .fini = cleanup, .timeout = 120);

/* 0 when argv ran and exited 0. */
static int
run_cmd(const char *const *argv)
{
	struct rexec_run r;
	int st;

	rexec_spawn(&r, NULL, argv);
	st = rexec_wait(&r);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		cr_log_warn("%s %s: %s", argv[0], argv[1], r.err);
	rexec_run_free(&r);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ip -n NS followed by the NULL-terminated words; 0 when it worked. */
static int
ip_ns(const char *ns, ...)
{
	const char *argv[16] = { "/usr/sbin/ip", "-n", ns };
	int n = 3;
	va_list ap;

	va_start(ap, ns);
	while (n < 15 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_cmd(argv);
}

static void
cleanup(void)
{
	if (d.pid > 0 || d.dir[0] != '\0')
		rexecd_stop(&d);
	/* A failed test's command, which no namespace removal ends. */
	if (marker[0] != '\0')
		proc_kill_marker(marker, SIGKILL);
	if (net.made_client)
		run_cmd((const char *const[]){ "/usr/sbin/ip", "netns", "del",
		    net.client, NULL });
	if (net.made_server)
		run_cmd((const char *const[]){ "/usr/sbin/ip", "netns", "del",
		    net.server, NULL });
}

/* Two namespaces named for this process, a veth pair between them. */
static void
make_pair(void)
{
	int pid = (int)getpid();

	if (geteuid() != 0)
		cr_skip_test("hostile_vanish: needs root for network "
		    "namespaces");
	if (access("/usr/sbin/ip", X_OK) == -1)
		cr_skip_test("hostile_vanish: no ip(8)");
	snprintf(net.server, sizeof(net.server), "rxdb-s%d", pid);
	snprintf(net.client, sizeof(net.client), "rxdb-c%d", pid);
	snprintf(net.sdev, sizeof(net.sdev), "rxdbs%d", pid);
	snprintf(net.cdev, sizeof(net.cdev), "rxdbc%d", pid);
	net.made_server = run_cmd((const char *const[]){ "/usr/sbin/ip",
	    "netns", "add", net.server, NULL }) == 0;
	if (!net.made_server)
		cr_skip_test("hostile_vanish: ip netns add failed: no "
		    "network namespaces here");
	net.made_client = run_cmd((const char *const[]){ "/usr/sbin/ip",
	    "netns", "add", net.client, NULL }) == 0;
	cr_assert(net.made_client, "ip netns add %s", net.client);
	cr_assert_eq(ip_ns(net.server, "link", "add", net.sdev, "type", "veth",
	    "peer", "name", net.cdev, "netns", net.client, NULL), 0);
	cr_assert_eq(ip_ns(net.server, "addr", "add", SERVER_ADDR NET_PREFIX,
	    "dev", net.sdev, NULL), 0);
	cr_assert_eq(ip_ns(net.client, "addr", "add", CLIENT_ADDR NET_PREFIX,
	    "dev", net.cdev, NULL), 0);
	cr_assert_eq(ip_ns(net.server, "link", "set", net.sdev, "up", NULL),
	    0);
	cr_assert_eq(ip_ns(net.client, "link", "set", net.cdev, "up", NULL),
	    0);
}

/* This process (and what it starts) in the namespace name from now on. */
static void
enter(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	cr_assert_neq(fd = open(path, O_RDONLY | O_CLOEXEC), -1, "%s", path);
	cr_assert_eq(setns(fd, CLONE_NEWNET), 0, "setns %s", name);
	close(fd);
}

/* TCP connections on port in pid's namespace in the ESTABLISHED state. */
static int
established(pid_t pid, int port)
{
	char path[64], line[512];
	unsigned int lport, st;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/tcp", (int)pid);
	cr_assert_not_null(f = fopen(path, "r"), "%s", path);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %*d: %*x:%x %*x:%*x %x", &lport, &st) == 2 &&
		    (int)lport == port && st == TCP_ESTABLISHED_ST)
			n++;
	fclose(f);
	return n;
}

/* Waits (bounded) until cond(pid, arg) is want; 0 or -1. */
static int
wait_for(int (*cond)(pid_t, int), pid_t pid, int arg, int want)
{
	for (int waited = 0; waited < VANISH_WAIT_MS; waited += 100) {
		if (cond(pid, arg) == want)
			return 0;
		test_sleep_ms(100);
	}
	return -1;
}

static int
idle_workers(pid_t master, int unused)
{
	pid_t pids[8];

	(void)unused;
	return dt_workers(master, "idle", pids, 8);
}

static int
connect_to(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	cr_assert_eq(inet_pton(AF_INET, addr, &sin.sin_addr), 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0,
	    "connect %s:%d", addr, port);
	return fd;
}

/* rexecd in one namespace, a client in the other running cmd (with the
 * marker appended); the connection, its "started" frame read. */
static int
start_across(const char *cmd, struct dt_result *r)
{
	const char *args[] = { "-f", d.conf, "-p", "0", "-l", SERVER_ADDR,
	    NULL };
	char json[128];
	int fd;

	make_pair();
	enter(net.server);
	cr_assert_eq(rexecd_start_args(&d, "allow = " CLIENT_ADDR "\n"
	    "keepalive = 2\nworkers = 1\nmax_workers = 1\n", args), 0,
	    "rexecd did not start in %s", net.server);
	enter(net.client);
	fd = connect_to(SERVER_ADDR, d.port);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"%s %s\"}", cmd, marker);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	cr_assert_eq(dt_read_until(fd, "started", 10000, r), 0);
	cr_assert_gt(proc_count_marker(marker), 0);
	return fd;
}

/* The link goes: nothing more reaches either end, no FIN, no reset;
 * the command, the connection and the worker must all be let go. */
static void
vanish_and_assert_freed(void)
{
	cr_assert_eq(ip_ns(net.client, "link", "del", net.cdev, NULL), 0);
	cr_assert_eq(proc_wait_marker_gone(marker, VANISH_WAIT_MS), 0,
	    "the command outlived its vanished client");
	cr_assert_eq(wait_for(established, d.pid, d.port, 0), 0,
	    "an ESTABLISHED connection is left");
	cr_assert_eq(wait_for(idle_workers, d.pid, 0, 1), 0,
	    "the worker is still held");
}

Test(hostile_vanish, link_deleted_frees_the_worker_and_ends_the_command)
{
	struct dt_result r = { 0 };
	int fd = start_across("sleep", &r);

	cr_assert_eq(established(d.pid, d.port), 1);
	cr_assert_eq(idle_workers(d.pid, 0), 0);
	vanish_and_assert_freed();
	close(fd);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The same while output waits for the client: keepalive does not probe
 * a connection with data in flight, and the worker tells a client that
 * acknowledges nothing from one that only reads nothing (hostile_stall). */
Test(hostile_vanish, link_deleted_with_output_waiting)
{
	struct dt_result r = { 0 };
	/* Not another byte read: output piles up, then the link goes. */
	int fd = start_across("yes", &r);

	vanish_and_assert_freed();
	cr_assert_eq(rexecd_wait_log(&d, "client vanished (keepalive)", 1000),
	    0, "not keepalive's doing");
	close(fd);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}
