/* SPDX-License-Identifier: ISC */
/*
 * rexecd under socket activation, as rexecd.socket starts it: the real
 * systemd-socket-activate listens, execs rexecd in the same process at
 * the first connection, and the real rexec runs a command through the
 * socket it handed over.  (READY=1, RELOADING=1 and STOPPING=1 on
 * NOTIFY_SOCKET are daemon_signals/systemd_notifications.)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <fcntl.h>
#include <pwd.h>
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
#include "srctree.h"

#define ACTIVATE	"systemd-socket-activate"
#define PORT_TRIES	5
#define LISTEN_WAIT_MS	10000
#define LISTEN_MAX	4

/* d.pid is systemd-socket-activate, and rexecd once it has exec'd. */
static struct rexecd_proc d;

static void
teardown(void)
{
	if (d.pid > 0 || d.dir[0] != '\0')
		rexecd_stop(&d);
}

TestSuite(systemd, .fini = teardown, .timeout = 60);

/* Whether program is in PATH (looked up here: no shell to fork). */
static bool
in_path(const char *program)
{
	const char *path = getenv("PATH");
	char dirs[4096], file[PATH_MAX], *dir, *p;

	snprintf(dirs, sizeof(dirs), "%s", path != NULL ? path :
	    "/usr/bin:/bin");
	for (p = dirs; (dir = strsep(&p, ":")) != NULL;) {
		if (snprintf(file, sizeof(file), "%s/%s", *dir != '\0' ? dir :
		    ".", program) < (int)sizeof(file) &&
		    access(file, X_OK) == 0)
			return true;
	}
	return false;
}

static bool
have_activate(void)
{
	return in_path(ACTIVATE);
}

/* Whether [::1]:port (network order; 0: any) can be bound now. */
static bool
bind6_ok(in_port_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = port, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd != -1 && bind(fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == 0;

	if (fd != -1)
		close(fd);
	return ok;
}

/* A port free on 127.0.0.1 (and ::1 with v6) just now, or -1. */
static int
free_port(bool v6)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	if (v6 && !bind6_ok(sin.sin_port))
		return -1;
	return ntohs(sin.sin_port);
}

/* Our own temp dir, log and empty rexecd.conf in d, as rexecd_start sets
 * them up, so that rexecd_log, rexecd_wait_log and rexecd_stop work. */
static void
prepare(void)
{
	FILE *f;

	memset(&d, 0, sizeof(d));
	snprintf(d.dir, sizeof(d.dir), "/tmp/rexecd-systemd.XXXXXX");
	cr_assert_not_null(mkdtemp(d.dir));
	test_path(d.log, sizeof(d.log), "%s/rexecd.log", d.dir);
	test_path(d.conf, sizeof(d.conf), "%s/rexecd.conf", d.dir);
	cr_assert_not_null(f = fopen(d.conf, "w"));
	fclose(f);
}

static bool
log_has(const char *needle)
{
	char *log = rexecd_log(&d);
	bool found = strstr(log, needle) != NULL;

	free(log);
	return found;
}

static void
exec_activate(const char *const *argv)
{
	sigset_t none;
	int fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((fd = open(d.log, O_WRONLY | O_APPEND)) == -1)
		_exit(126);
	dup2(fd, 2);
	if ((fd = open("/dev/null", O_RDWR)) == -1)
		_exit(126);
	dup2(fd, 0);
	dup2(fd, 1);
	execvp(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Starts argv; 0 once it listens on all n addresses, -1 when it exited
 * (a port taken meanwhile). */
static int
spawn_listening(const char *const *argv, int n)
{
	int status, fd;

	/* Emptied here, not in the child: no stale line from a try before. */
	cr_assert_neq(fd = open(d.log, O_WRONLY | O_CREAT | O_TRUNC, 0644),
	    -1);
	close(fd);
	d.pid = fork();
	cr_assert_neq(d.pid, -1);
	if (d.pid == 0)
		exec_activate(argv);
	for (int waited = 0; waited < LISTEN_WAIT_MS; waited += 10) {
		char *log = rexecd_log(&d);
		int listening = count(log, "Listening on ");

		free(log);
		if (listening == n)
			return 0;
		if (waitpid(d.pid, &status, WNOHANG) == d.pid) {
			d.pid = 0;
			return -1;
		}
		test_sleep_ms(10);
	}
	cr_assert_fail("%s did not listen", ACTIVATE);
	return -1;
}

/*
 * systemd-socket-activate listening on each of hosts (NULL-terminated,
 * "[::1]" for IPv6) at one port, then the daemon's words (NULL-
 * terminated).  The port is found free first; the little race with
 * others taking it meanwhile is retried.
 */
static void
activate(const char *const *hosts, const char *const *daemon)
{
	char listen[LISTEN_MAX][64];
	const char *argv[32];
	bool v6 = false;
	int n, h;

	for (h = 0; hosts[h] != NULL; h++)
		v6 = v6 || hosts[h][0] == '[';
	cr_assert_leq(h, LISTEN_MAX);
	for (int try = 0; try < PORT_TRIES; try++) {
		if ((d.port = free_port(v6)) == -1)
			continue;
		n = 0;
		argv[n++] = ACTIVATE;
		for (h = 0; hosts[h] != NULL; h++) {
			test_path(listen[h], sizeof(listen[h]), "%s:%d", hosts[h],
			    d.port);
			argv[n++] = "-l";
			argv[n++] = listen[h];
		}
		for (const char *const *w = daemon; *w != NULL && n < 31; w++)
			argv[n++] = *w;
		argv[n] = NULL;
		if (spawn_listening(argv, h) == 0)
			return;
	}
	cr_assert_fail("no free port in %d tries", PORT_TRIES);
}

static void
assert_runs(const char *host, const char *cmd, const char *want)
{
	struct rexec_run r;
	char port[16];

	snprintf(port, sizeof(port), "%d", d.port);
	rexec_run(&r, NULL, "-p", port, host, cmd, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x, stderr: %s", r.status, r.err);
	cr_assert_str_eq(r.out, want);
	cr_assert_eq(r.err_len, 0, "stderr: %s", r.err);
	rexec_run_free(&r);
}

/* rexecd announced exactly the sockets it was given, bound none. */
static void
assert_took_only(const char *const *addrs)
{
	char *log = rexecd_log(&d), want[128];
	int n = 0;

	for (; *addrs != NULL; addrs++, n++) {
		snprintf(want, sizeof(want), "master: listening on %s port %d\n",
		    *addrs, d.port);
		cr_assert_eq(count(log, want), 1, "no \"%s\" in:\n%s", want,
		    log);
	}
	cr_assert_eq(count(log, "listening on "), n, "%s", log);
	free(log);
}

static void
assert_stops_cleanly(void)
{
	int st = rexecd_stop(&d);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
}

Test(systemd, socket_activation_serves_a_command)
{
	const char *hosts[] = { "127.0.0.1", NULL };

	if (!have_activate())
		cr_skip_test(ACTIVATE " is not installed");
	prepare();
	activate(hosts, (const char *[]){ rexecd_bin(), "-f", d.conf, NULL });
	/* The first connection makes it exec rexecd, which answers it. */
	assert_runs("127.0.0.1", "echo hi", "hi\n");
	assert_runs("127.0.0.1", "echo again", "again\n");
	assert_took_only((const char *[]){ "127.0.0.1", NULL });
	assert_stops_cleanly();
}

Test(systemd, takes_both_sockets_of_the_unit)
{
	/* As rexecd.socket: 127.0.0.1 and [::1] on one port. */
	const char *hosts[] = { "127.0.0.1", "[::1]", NULL };

	if (!have_activate())
		cr_skip_test(ACTIVATE " is not installed");
	if (!bind6_ok(0))
		cr_skip_test("no IPv6 loopback here");
	prepare();
	activate(hosts, (const char *[]){ rexecd_bin(), "-f", d.conf, NULL });
	assert_runs("::1", "echo six", "six\n");
	assert_runs("127.0.0.1", "echo four", "four\n");
	assert_took_only((const char *[]){ "127.0.0.1", "::1", NULL });
	assert_stops_cleanly();
}

Test(systemd, refuses_an_exposed_socket_without_protection)
{
	const char *hosts[] = { "0.0.0.0", NULL };
	struct rexec_run r;
	char port[16];
	int st;

	if (!have_activate())
		cr_skip_test(ACTIVATE " is not installed");
	prepare();
	activate(hosts, (const char *[]){ rexecd_bin(), "-f", d.conf, NULL });
	test_path(port, sizeof(port), "%d", d.port);
	rexec_run(&r, NULL, "-p", port, "127.0.0.1", "echo never", NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 255,
	    "status %#x", r.status);
	cr_assert_str_eq(r.out, "");
	rexec_run_free(&r);
	cr_assert_eq(rexecd_wait_log(&d, "refusing to listen on a socket "
	    "from systemd", 10000), 0);
	st = rexecd_stop(&d);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "status %#x", st);
}

/* A copy of rexecd that any account can run, whatever the checkout's
 * permissions: in d.dir, opened up to others. */
static void
copy_daemon(char *path, size_t len)
{
	char *bin;
	size_t size;
	int fd;

	test_path(path, len, "%s/rexecd", d.dir);
	cr_assert_not_null(bin = read_file_all(rexecd_bin(), &size));
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755), -1);
	cr_assert_eq(write(fd, bin, size), (ssize_t)size);
	close(fd);
	free(bin);
	cr_assert_eq(chmod(d.dir, 0755), 0);
}

/* As rexecd.service runs it: User=rexec, no "user" in rexecd.conf. */
Test(systemd, serves_as_an_unprivileged_account)
{
	struct passwd *pw = getpwnam("nobody");
	char bin[PATH_MAX + 16], uid[32], gid[32], want[32];
	const char *hosts[] = { "127.0.0.1", NULL };
	const char *daemon[] = { "setpriv", uid, gid, "--clear-groups", bin,
	    "-f", "/dev/null", NULL };

	if (!have_activate())
		cr_skip_test(ACTIVATE " is not installed");
	if (geteuid() != 0 || pw == NULL || !in_path("setpriv"))
		cr_skip_test("needs root, a nobody account and setpriv");
	prepare();
	copy_daemon(bin, sizeof(bin));
	test_path(uid, sizeof(uid), "--reuid=%u", (unsigned)pw->pw_uid);
	test_path(gid, sizeof(gid), "--regid=%u", (unsigned)pw->pw_gid);
	activate(hosts, daemon);
	test_path(want, sizeof(want), "%u %u\n", (unsigned)pw->pw_uid,
	    (unsigned)pw->pw_gid);
	assert_runs("127.0.0.1", "echo $(id -u) $(id -g)", want);
	cr_assert(!log_has("commands run as root"));
	assert_stops_cleanly();
}
