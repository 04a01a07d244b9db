/* SPDX-License-Identifier: ISC */
/*
 * A client that stops reading (issue 18): with stall_timeout, the worker
 * it holds is freed and its command's group ended within the bound; a
 * client that reads is never cut by it.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

/* stall_timeout = 2 plus kill_grace = 1: well within this. */
#define STALL_WAIT_MS	30000

static struct rexecd_proc d;
static char marker[32];

static void
cleanup(void)
{
	if (d.pid > 0 || d.dir[0] != '\0')
		rexecd_stop(&d);
	if (marker[0] != '\0')
		proc_kill_marker(marker, SIGKILL);
}

TestSuite(hostile_stall, .fini = cleanup, .timeout = 90);

Test(hostile_stall, client_never_reading_is_dropped)
{
	struct dt_result r;
	char json[128];
	int fd, small = 4096;

	rexecd_start(&d, "workers = 1\nmax_workers = 1\nstall_timeout = 2\n"
	    "kill_grace = 1\nlog_level = info\n", NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(json, sizeof(json), "{\"cmd\": \"yes %s\"}", marker);
	cr_assert_neq(fd = rexecd_connect(&d), -1);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	/* Not a byte read from fd from now on. */
	cr_assert_eq(rexecd_wait_log(&d, "client not reading (stall_timeout)",
	    STALL_WAIT_MS), 0, "the worker is still held");
	cr_assert_eq(proc_wait_marker_gone(marker, STALL_WAIT_MS), 0,
	    "the command outlived its stalled client");
	/* The only worker serves again. */
	dt_run(&d, "{\"cmd\": \"echo again\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0);
	cr_assert_str_eq(r.out, "again\n");
	dt_result_free(&r);
	close(fd);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* Waits (bounded) until the log holds needle n times; 0 or -1. */
static int
wait_log_count(const struct rexecd_proc *p, const char *needle, int n,
    int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		char *log = rexecd_log(p), *at = log;
		int seen = 0;

		while ((at = strstr(at, needle)) != NULL && seen < n) {
			seen++;
			at += strlen(needle);
		}
		free(log);
		if (seen >= n)
			return 0;
		test_sleep_ms(50);
	}
	return -1;
}

/* keepalive does not drop a client that is there but reads nothing (a
 * pager, a suspended rexec): its command keeps its output, all of it. */
Test(hostile_stall, client_there_but_not_reading_is_kept)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct dt_result r = { 0 };
	int fd, small = 4096, large = 4 << 20;

	rexecd_start(&d, "keepalive = 1\nlog_level = debug\n", NULL);
	/* Small before the handshake: shrunk after it, the window would
	 * stay small once grown again, and the reading very slow. */
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), -1);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	sin.sin_port = htons((uint16_t)d.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"head -c 4000000 "
	    "/dev/zero\"}"), 0);
	/* Twice: the check came, found it there, and came again. */
	cr_assert_eq(wait_log_count(&d, "client takes no output, but is "
	    "there", 2, STALL_WAIT_MS), 0, "keepalive did not look twice");
	/* Reading now, at the speed of a normal buffer. */
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &large,
	    sizeof(large)), 0);
	dt_session(fd, NULL, 0, true, STALL_WAIT_MS, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0, "%s",
	    r.got_error ? r.err.message : "no exit");
	cr_assert_eq(r.out_total, 4000000);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* Progress, however much output, keeps a reading client. */
Test(hostile_stall, client_reading_is_kept)
{
	struct dt_result r;

	rexecd_start(&d, "stall_timeout = 1\n", NULL);
	dt_run(&d, "{\"cmd\": \"head -c 50000000 /dev/zero\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.exited && r.st.code == 0);
	cr_assert_eq(r.out_total, 50000000);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}
