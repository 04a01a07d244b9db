/* SPDX-License-Identifier: ISC */
/* Timeouts, disconnects, shutdown and reload end exactly what they must. */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "fdio.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;

static void
teardown(void)
{
	if (d.pid > 0 || d.dir[0] != '\0')
		rexecd_stop(&d);
}

TestSuite(daemon_signals, .fini = teardown, .timeout = 90);

/* A command whose every process carries marker in its command line. */
static void
group_cmd(char *json, size_t len, const char *marker, const char *extra)
{
	snprintf(json, len, "{\"cmd\": \"sleep %s & sleep %s; echo never\"%s}",
	    marker, marker, extra);
}

static int
start_cmd(const char *json, struct dt_result *r)
{
	int fd = rexecd_connect(&d);

	cr_assert_neq(fd, -1);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	memset(r, 0, sizeof(*r));
	cr_assert_eq(dt_read_until(fd, "started", 10000, r), 0);
	return fd;
}

static int
wait_exit(pid_t pid, int timeout_ms)
{
	int status;

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		test_sleep_ms(10);
	}
	return -1;
}

Test(daemon_signals, timeout_ends_the_whole_group)
{
	char marker[32], json[256];
	struct dt_result r;
	int fd;

	rexecd_start(&d, "kill_grace = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	group_cmd(json, sizeof(json), marker, ", \"timeout\": 0.5");
	fd = start_cmd(json, &r);
	cr_assert_eq((int)proc_count_marker(marker) > 0, 1);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit);
	cr_assert(r.st.timed_out);
	cr_assert(!r.st.exited);
	cr_assert_eq(r.st.signal, SIGTERM);
	cr_assert_str_eq(r.out, "");
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0, "group survived");
	dt_result_free(&r);
}

Test(daemon_signals, timeout_escalates_to_kill)
{
	char marker[32], json[256];
	struct dt_result r;
	int fd;

	rexecd_start(&d, "kill_grace = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"trap '' TERM; sleep %s\", "
	    "\"timeout\": 0.3}", marker);
	fd = start_cmd(json, &r);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.timed_out);
	cr_assert_eq(r.st.signal, SIGKILL);
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0);
	dt_result_free(&r);
}

Test(daemon_signals, max_timeout_caps_the_request)
{
	char marker[32], json[256];
	struct dt_result r;
	int fd;

	rexecd_start(&d, "max_timeout = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	group_cmd(json, sizeof(json), marker, ", \"timeout\": 3600");
	fd = start_cmd(json, &r);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.timed_out);
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0);
	dt_result_free(&r);
}

Test(daemon_signals, disconnect_ends_the_group)
{
	char marker[32], json[256];
	struct dt_result r;
	int fd;

	rexecd_start(&d, NULL, NULL);
	dt_marker(marker, sizeof(marker));
	group_cmd(json, sizeof(json), marker, "");
	fd = start_cmd(json, &r);
	for (int i = 0; i < 250 && (int)proc_count_marker(marker) < 2; i++)
		test_sleep_ms(20);
	cr_assert_geq((int)proc_count_marker(marker), 2);
	close(fd);
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0, "orphans left");
	cr_assert_eq(rexecd_wait_log(&d, "client disconnected", 5000), 0);
	dt_result_free(&r);
}

Test(daemon_signals, disconnect_while_stdin_blocked)
{
	char marker[32], json[256];
	size_t len = 8 * 1024 * 1024;
	unsigned char *junk = calloc(1, len);
	struct dt_result r;
	int fd;

	rexecd_start(&d, "kill_grace = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	/* Never reads stdin and ignores TERM: needs the KILL. */
	snprintf(json, sizeof(json), "{\"cmd\": \"trap '' TERM; sleep %s\"}",
	    marker);
	fd = start_cmd(json, &r);
	set_nonblock(fd, 1);
	/* Fill the pipe and the socket until the daemon stops reading. */
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, junk + off, len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0, "orphans left");
	free(junk);
	dt_result_free(&r);
}

Test(daemon_signals, sigterm_lets_the_command_finish)
{
	struct dt_result r;
	int fd, status;

	rexecd_start(&d, NULL, NULL);
	fd = start_cmd("{\"cmd\": \"cat; echo finished\"}", &r);
	kill(d.pid, SIGTERM);
	cr_assert_eq(rexecd_wait_log(&d, "shutting down", 5000), 0);
	/* No longer accepting (bounded wait for the sockets to close). */
	for (int i = 0; i < 250; i++) {
		int c = rexecd_connect(&d);
		if (c == -1)
			break;
		close(c);
		test_sleep_ms(20);
	}
	cr_assert_eq(rexecd_connect(&d), -1, "still accepting");
	dt_session(fd, "data\n", 5, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0);
	cr_assert_str_eq(r.out, "data\nfinished\n");
	status = wait_exit(d.pid, 20000);
	d.pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	dt_result_free(&r);
}

Test(daemon_signals, shutdown_timeout_ends_commands)
{
	char marker[32], json[256];
	struct dt_result r;
	int fd, status;

	rexecd_start(&d, "shutdown_timeout = 1\nkill_grace = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	group_cmd(json, sizeof(json), marker, "");
	fd = start_cmd(json, &r);
	kill(d.pid, SIGTERM);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && !r.st.exited);
	cr_assert_eq(r.st.signal, SIGTERM);
	status = wait_exit(d.pid, 20000);
	d.pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0);
	dt_result_free(&r);
}

/* A client that reads nothing: its socket buffer fills, the rest waits. */
static int
start_unread(const char *json)
{
	int fd = rexecd_connect(&d), small = 4096;

	cr_assert_neq(fd, -1);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	return fd;
}

/* The command ends (its writer is killed by the timeout) while the client
 * reads nothing: the worker is free again kill_grace + 10 s later. */
Test(daemon_signals, client_not_reading_is_dropped_after_the_timeout)
{
	struct dt_result r;
	int fd;

	rexecd_start(&d, "workers = 1\nmax_workers = 1\nmax_timeout = 1\n"
	    "kill_grace = 1\n", NULL);
	fd = start_unread("{\"cmd\": \"head -c 100000000 /dev/zero\"}");
	cr_assert_eq(rexecd_wait_log(&d, "client not reading after the "
	    "timeout", 60000), 0, "the worker is still held");
	/* The only worker serves again. */
	dt_run(&d, "{\"cmd\": \"echo again\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0);
	cr_assert_str_eq(r.out, "again\n");
	dt_result_free(&r);
	close(fd);
}

/* Without a timeout, a shutdown frees the worker of a client that reads
 * nothing within kill_grace, before the master has to SIGKILL it. */
Test(daemon_signals, client_not_reading_does_not_hold_up_shutdown)
{
	char *log;
	int fd, status;

	rexecd_start(&d, "shutdown_timeout = 1\nkill_grace = 1\n"
	    "log_level = debug\n", NULL);
	fd = start_unread("{\"cmd\": \"head -c 100000000 /dev/zero & "
	    "exec sleep 0.2\"}");
	cr_assert_eq(rexecd_wait_log(&d, "started pid", 10000), 0);
	kill(d.pid, SIGTERM);
	status = wait_exit(d.pid, 60000);
	cr_assert_neq(status, -1, "the daemon did not stop");
	d.pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log = rexecd_log(&d);
	cr_assert_not_null(strstr(log, "client not reading at shutdown"),
	    "%s", log);
	cr_assert_null(strstr(log, "killing them"), "%s", log);
	free(log);
	close(fd);
}

/* With nothing running, SIGTERM does not wait for shutdown_timeout: set
 * far beyond the test's patience, waiting for it would fail the test. */
Test(daemon_signals, idle_daemon_stops_at_once)
{
	char *log;
	int status;

	rexecd_start(&d, "workers = 3\nshutdown_timeout = 3600\n", NULL);
	kill(d.pid, SIGTERM);
	status = wait_exit(d.pid, 40000);
	cr_assert_neq(status, -1, "still running");
	d.pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	log = rexecd_log(&d);
	cr_assert_not_null(strstr(log, "stopped"), "%s", log);
	cr_assert_null(strstr(log, "shutdown_timeout"), "%s", log);
	free(log);
}

static void
rewrite_conf(const char *text)
{
	FILE *f = fopen(d.conf, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(daemon_signals, sighup_reload_is_graceful)
{
	char marker[32], json[256];
	struct dt_result old, r;
	int fd;

	rexecd_start(&d, "workers = 2\n", NULL);
	fd = start_cmd("{\"cmd\": \"cat\"}", &old);
	rewrite_conf("workers = 2\nmax_timeout = 1\n");
	kill(d.pid, SIGHUP);
	cr_assert_eq(rexecd_wait_log(&d, "reloaded, generation 2", 5000), 0);
	/* New workers run with the new configuration... */
	dt_marker(marker, sizeof(marker));
	group_cmd(json, sizeof(json), marker, "");
	dt_run(&d, json, NULL, 0, &r);
	cr_assert(r.got_exit && r.st.timed_out, "max_timeout not applied");
	dt_result_free(&r);
	/* ...while the command that ran before is not cut. */
	dt_session(fd, "still here", 10, true, 20000, &old);
	close(fd);
	cr_assert(old.got_exit && old.st.exited && old.st.code == 0);
	cr_assert(!old.st.timed_out);
	cr_assert_str_eq(old.out, "still here");
	dt_result_free(&old);
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0);
}

Test(daemon_signals, bad_reload_keeps_the_configuration)
{
	struct dt_result r;

	rexecd_start(&d, NULL, NULL);
	rewrite_conf("workers = many\n");
	kill(d.pid, SIGHUP);
	cr_assert_eq(rexecd_wait_log(&d, "reload failed", 5000), 0);
	dt_run(&d, "{\"cmd\": \"echo ok\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	dt_result_free(&r);
}

/*
 * A reload rexecd would refuse at start is refused (issue 18): here one
 * that drops the token of a listener on 0.0.0.0, which is kept.
 */
Test(daemon_signals, reload_cannot_unprotect_an_exposed_listener)
{
	char tdir[] = "/tmp/rexecd-rtok.XXXXXX", path[PATH_MAX];
	char conf[PATH_MAX + 32];
	const char *args[] = { "-f", d.conf, "-p", "0", "-l", "0.0.0.0",
	    NULL };
	struct dt_result r;
	int fd;

	cr_assert_not_null(mkdtemp(tdir));
	snprintf(path, sizeof(path), "%s/token", tdir);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    -1);
	cr_assert_eq(write(fd, "s3cret\n", 7), 7);
	close(fd);
	snprintf(conf, sizeof(conf), "token_file = %s\n", path);
	cr_assert_eq(rexecd_start_args(&d, conf, args), 0);
	rewrite_conf("log_level = info\n");
	kill(d.pid, SIGHUP);
	cr_assert_eq(rexecd_wait_log(&d, "reload failed, keeping the "
	    "configuration: refusing to listen on 0.0.0.0", 5000), 0);
	dt_run(&d, "{\"cmd\": \"echo ran\"}", NULL, 0, &r);
	cr_assert(r.got_error && r.err.code == ERR_AUTH && !r.started,
	    "a request without the token was not refused");
	dt_result_free(&r);
	dt_run(&d, "{\"cmd\": \"echo ran\", \"token\": \"s3cret\"}", NULL,
	    0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "ran\n");
	dt_result_free(&r);
	unlink(path);
	rmdir(tdir);
}

/* Reads notify datagrams until one contains want; 0 or -1 (bounded). */
static int
wait_notify(int fd, const char *want, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[1024];

	for (int waited = 0; waited < timeout_ms; waited += 100) {
		if (poll(&p, 1, 100) != 1)
			continue;
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (strstr(buf, want) != NULL)
			return 0;
	}
	return -1;
}

Test(daemon_signals, systemd_notifications)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	cr_assert_neq(fd, -1);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "/tmp/rexecd-notify.%d",
	    (int)getpid());
	unlink(sun.sun_path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);
	rexecd_start(&d, NULL, NULL);
	unsetenv("NOTIFY_SOCKET");
	cr_assert_eq(wait_notify(fd, "READY=1", 5000), 0);
	kill(d.pid, SIGHUP);
	cr_assert_eq(wait_notify(fd, "RELOADING=1", 5000), 0);
	cr_assert_eq(wait_notify(fd, "READY=1", 5000), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
	cr_assert_eq(wait_notify(fd, "STOPPING=1", 5000), 0);
	close(fd);
	unlink(sun.sun_path);
}

Test(daemon_signals, slow_reader_gets_back_pressure_not_a_big_buffer)
{
	char marker[32], json[256];
	struct dt_result r;
	pid_t w;
	int fd;

	rexecd_start(&d, "workers = 1\n", NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"argv\": [\"yes\", \"%s\"]}", marker);
	fd = start_cmd(json, &r);
	cr_assert_eq(dt_workers(d.pid, "127.0.0.1:", &w, 1), 1);
	/* Nobody reads: the worker must stay small however long it lasts. */
	for (int i = 0; i < 20; i++) {
		long kib = proc_rss_kib(w);
		cr_assert_gt(kib, 0);
		cr_assert_lt(kib, 16 * 1024, "worker RSS %ld KiB", kib);
		test_sleep_ms(50);
	}
	/* The stream still flows once we read. */
	char buf[65536];
	size_t got = 0;
	set_nonblock(fd, 0);
	while (got < 64 * 1024 * 1024) {
		ssize_t n = read(fd, buf, sizeof(buf));
		cr_assert_gt(n, 0);
		got += (size_t)n;
	}
	cr_assert_lt(proc_rss_kib(w), 16 * 1024);
	close(fd);
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0);
	dt_result_free(&r);
}

/* The state letter of /proc/PID/stat, '\0' when there is no such pid. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return '\0';
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (p = strrchr(buf, ')')) != NULL && p[1] == ' ' ? p[2] : '\0';
}

/*
 * The timeout ends the leader; a child that ignores SIGTERM lives on in
 * its group until the SIGKILL.  Meanwhile the leader stays an unreaped
 * zombie: its pid, the group's id that the daemon signals, cannot be
 * reused by an unrelated process (pid_max is small on some machines).
 */
Test(daemon_signals, leader_unreaped_while_its_group_lives)
{
	char marker[32], json[256];
	struct dt_result r;
	bool seen = false;
	int fd;

	rexecd_start(&d, "kill_grace = 2\n", NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"(trap '' TERM; exec sleep "
	    "%s) >/dev/null 2>&1 & sleep 60\", \"timeout\": 0.3}", marker);
	fd = start_cmd(json, &r);
	for (int i = 0; i < 1000 && !seen; i++) {
		seen = proc_state(r.pid) == 'Z' &&
		    proc_count_marker(marker) > 0;
		if (!seen)
			test_sleep_ms(5);
	}
	cr_assert(seen, "leader %d reaped while its group was alive", r.pid);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit);
	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0, "group survived");
	for (int i = 0; i < 500 && proc_state(r.pid) == 'Z'; i++)
		test_sleep_ms(10);
	cr_assert_neq(proc_state(r.pid), 'Z', "leader never reaped");
	dt_result_free(&r);
}

/*
 * A job left in the group that takes a while to end on SIGTERM: the exit
 * comes only once it is gone (issue 19: its group is watched without a
 * /proc scan per tick, and must still not be reported empty too early).
 * The job redirects its output, so no pipe holds the exit back; on a
 * pty, the leader's end hangs it up as well.
 */
static void
exit_after_job(const char *extra_json)
{
	char marker[32], dir[] = "/tmp/daemon19-job.XXXXXX", done[64];
	char json[512];
	struct dt_result r;
	int fd;

	rexecd_start(&d, "kill_grace = 30\n", NULL);
	dt_marker(marker, sizeof(marker));
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chmod(dir, 0777), 0);
	snprintf(done, sizeof(done), "%s/done", dir);
	snprintf(json, sizeof(json), "{\"cmd\": \"(trap 'sleep 0.5; : > %s; "
	    "exit 0' TERM HUP; while :; do sleep 0.1; done) >/dev/null 2>&1 & "
	    "exec sleep %s\", \"timeout\": 0.3%s}", done, marker, extra_json);
	fd = start_cmd(json, &r);
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.timed_out);
	cr_assert_eq(access(done, F_OK), 0, "exit before the job ended");
	cr_assert_eq(proc_wait_marker_gone(marker, 5000), 0);
	unlink(done);
	rmdir(dir);
	dt_result_free(&r);
}

Test(daemon_signals, exit_waits_for_the_job_left_in_the_group)
{
	exit_after_job("");
}

Test(daemon_signals, exit_waits_for_the_job_left_on_the_pty)
{
	exit_after_job(", \"pty\": {\"term\": \"dumb\", \"rows\": 24, "
	    "\"cols\": 80}");
}

/*
 * A worker lingering on a client after its error frame (the client still
 * sending) stops lingering when told to end now, at shutdown_timeout: it
 * waits on its signals too (issue 19).
 */
Test(daemon_signals, shutdown_ends_a_lingering_close)
{
	struct dt_result r;
	int fd, status;
	char *log, *end_now, *cut, *stopped;

	rexecd_start(&d, "shutdown_timeout = 0\nlog_level = debug\n", NULL);
	fd = rexecd_connect(&d);
	cr_assert_neq(fd, -1);
	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"true\", \"cwd\": "
	    "\"/nonexistent/daemon19\"}"), 0);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(dt_read_until(fd, "error", 10000, &r), 0);
	dt_send_raw(fd, "more", 4);
	kill(d.pid, SIGTERM);
	status = wait_exit(d.pid, 20000);
	d.pid = 0;
	close(fd);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
	log = rexecd_log(&d);
	end_now = strstr(log, "shutdown_timeout: ending running commands");
	cut = strstr(log, "not lingering: the daemon is stopping");
	stopped = strstr(log, "master: stopped");
	cr_assert(end_now != NULL && cut != NULL && stopped != NULL, "%s",
	    log);
	cr_assert(end_now < cut && cut < stopped, "%s", log);
	free(log);
	dt_result_free(&r);
}
