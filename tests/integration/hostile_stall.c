/*
 * A client that stops reading (issue 18): with stall_timeout, the worker
 * it holds is freed and its command's group ended within the bound; a
 * client that reads is never cut by it.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <signal.h>
#include <stdio.h>
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
