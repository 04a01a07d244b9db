/* SPDX-License-Identifier: ISC */
/*
 * Descriptor and process hygiene: after 1,000 requests of every kind
 * (success, spawn error, timeout, disconnect, bad frame; on a pty: a
 * command, a job left behind, a hang-up, a login shell; forwarded
 * connections: echoed, refused, dropped at once) the master and
 * the workers hold exactly the descriptors they held at start, and no
 * command, child or zombie is left.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "decode.h"
#include "encode.h"
#include "frameio.h"
#include "message.h"
#include "daemon_util.h"
#include "fwd_util.h"
#include "proc_scan.h"
#include "rexecd_proc.h"

/* Per test process: the two tests may run at once, and each waits only
 * for its own commands to be gone. */
static char marker[48];
/* The forwarded connections' target, and a port nobody listens on. */
static struct fwd_echo echo;
static int closed_port;

/* Reads frames until exit or error; returns the last frame's type. */
static enum frame_type
finish(int fd, struct exit_status *x)
{
	struct decoder d;
	struct frame f;
	struct proto_error e;
	enum frame_type last = FRAME_TYPE_COUNT;

	decoder_init(&d);
	for (;;) {
		int r;
		while ((r = decoder_next(&d, &f)) == 1) {
			last = f.type;
			if (f.type == FRAME_EXIT)
				cr_assert_eq(msg_parse_exit(&f, x, &e), 0);
			frame_clear(&f);
		}
		cr_assert_eq(r, 0, "bad frame from server");
		if (last == FRAME_EXIT || last == FRAME_ERROR)
			break;
		cr_assert_gt(decoder_read(&d, fd), 0, "lost before exit");
	}
	decoder_free(&d);
	return last;
}

static void	pty_request(int fd, struct exec_req *, int kind);
static void	forward_request(int fd, int kind);

static void
request(const struct rexecd_proc *rd, int kind)
{
	char bad[96], markvar[96];
	char *ok_argv[] = { "true", NULL };
	char *bad_argv[] = { bad, NULL };
	/* In the environment, every process of the command carries it. */
	char *mark[] = { markvar, NULL };
	struct exec_req req = { .stdin_open = false, .env = mark, .envc = 1 };
	struct exit_status x;
	int fd = rexecd_connect(rd);

	snprintf(bad, sizeof(bad), "/nonexistent/%s", marker);
	snprintf(markvar, sizeof(markvar), "REXEC_TEST_MARK=%s", marker);
	cr_assert_neq(fd, -1);
	switch (kind) {
	case 0:
		req.argv = ok_argv;
		req.argc = 1;
		cr_assert_eq(msg_send(fd, msg_exec(&req)), 0);
		cr_assert_eq(finish(fd, &x), FRAME_EXIT);
		cr_assert(x.exited && x.code == 0);
		break;
	case 1:
		req.argv = bad_argv;
		req.argc = 1;
		cr_assert_eq(msg_send(fd, msg_exec(&req)), 0);
		cr_assert_eq(finish(fd, &x), FRAME_ERROR);
		break;
	case 2:
		req.cmd = "sleep 5; :";
		req.timeout = 0.02;
		cr_assert_eq(msg_send(fd, msg_exec(&req)), 0);
		cr_assert_eq(finish(fd, &x), FRAME_EXIT);
		cr_assert(x.timed_out);
		break;
	case 3:
		req.cmd = "sleep 5; :";
		cr_assert_eq(msg_send(fd, msg_exec(&req)), 0);
		break;		/* and hang up at once */
	case 4:
		cr_assert_eq(write(fd, "\0\0\0\0", 4), 4);
		cr_assert_eq(finish(fd, &x), FRAME_ERROR);
		break;
	case 5: case 6: case 7: case 8:
		pty_request(fd, &req, kind);
		break;
	default:
		forward_request(fd, kind);
		break;
	}
	close(fd);
}

/* Forwarded: echoed both ways, refused, or dropped as soon as asked. */
static void
forward_request(int fd, int kind)
{
	struct dt_result r = { 0 };
	char json[128];

	snprintf(json, sizeof(json), "{\"type\": \"connect\", \"host\": "
	    "\"127.0.0.1\", \"port\": %d}", kind == 10 ? closed_port :
	    echo.port);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	if (kind == 11)
		return;		/* and hang up at once */
	dt_session(fd, "ping", 4, true, 30000, &r);
	if (kind == 10)
		cr_assert(r.got_error && r.err.code == ERR_CONNECT);
	else
		cr_assert(r.got_exit && r.out_len > 4 &&
		    memcmp(r.out, "ping", 4) == 0);
	dt_result_free(&r);
}

/* On a pty: a command, a job left behind, a hang-up, a login shell. */
static void
pty_request(int fd, struct exec_req *req, int kind)
{
	struct exit_status x;

	req->pty = (struct pty_req){ .on = true, .term = "vt100",
	    .size = { 24, 80 } };
	req->cmd = kind == 5 ? "tty" : kind == 6 ? "sleep 5 & :" :
	    "sleep 5; :";
	if (kind == 8) {
		req->cmd = NULL;
		req->login = true;
		req->stdin_open = true;
	}
	cr_assert_eq(msg_send(fd, msg_exec(req)), 0);
	if (kind == 7)
		return;		/* and hang up at once */
	if (kind == 8) {
		cr_assert_eq(frame_write_data(fd, FRAME_STDIN, "exit 3\n", 7),
		    0);
		cr_assert_eq(frame_write_data(fd, FRAME_EOF, NULL, 0), 0);
	}
	cr_assert_eq(finish(fd, &x), FRAME_EXIT);
	cr_assert(x.exited && x.code == (kind == 8 ? 3 : 0));
}

struct snapshot {
	size_t	nworkers;
	pid_t	workers[8];
	char	*master_fds;
	char	*worker_fds[8];
};

static void	hygiene_after(int first, int nkinds);
static int	ptys_held(pid_t master);

static void
snapshot_take(struct snapshot *s, pid_t master)
{
	s->nworkers = (size_t)dt_workers(master, NULL, s->workers, 8);
	s->master_fds = dt_master_fds(master);
	for (size_t i = 0; i < s->nworkers; i++)
		s->worker_fds[i] = proc_fd_table(s->workers[i]);
}

static void
snapshot_free(struct snapshot *s)
{
	free(s->master_fds);
	for (size_t i = 0; i < s->nworkers; i++)
		free(s->worker_fds[i]);
}

/* The workers' tables match once every disconnect has been cleaned up. */
static int
same_as(const struct snapshot *start, pid_t master)
{
	struct snapshot now;
	int same;

	snapshot_take(&now, master);
	same = now.nworkers == start->nworkers &&
	    strcmp(now.master_fds, start->master_fds) == 0;
	for (size_t i = 0; same && i < now.nworkers; i++)
		same = now.workers[i] == start->workers[i] &&
		    strcmp(now.worker_fds[i], start->worker_fds[i]) == 0;
	snapshot_free(&now);
	return same;
}

/*
 * Terminals the daemon still holds: a /dev/pts entry lives while its
 * master is open, and only the master and its workers could hold one
 * once the commands (marked) are gone.  Counting /dev/pts itself would
 * count other tests' and other programs' terminals too.
 */
static int
ptys_held(pid_t master)
{
	pid_t pids[65];
	size_t n = proc_children(master, pids, 64);
	int held = 0;

	pids[n++] = master;
	for (size_t i = 0; i < n; i++) {
		char *t = proc_fd_table(pids[i]);
		if (strstr(t, "/dev/pts/") != NULL ||
		    strstr(t, "/dev/ptmx") != NULL)
			held++;
		free(t);
	}
	return held;
}

Test(hygiene, descriptors_and_processes_after_1000_requests,
    .timeout = 240)
{
	hygiene_after(0, 5);
}

/* Issue 13: no terminal, descriptor or process left either. */
Test(hygiene, pty_sessions_leave_nothing, .timeout = 240)
{
	hygiene_after(5, 4);
}

/* Issue 21: nor a connector (the master's child per connect request). */
Test(hygiene, forwarded_connections_leave_nothing, .timeout = 240)
{
	int holder;

	closed_port = fwd_closed_port(&holder);
	fwd_echo_start(&echo);
	hygiene_after(9, 3);
	fwd_echo_stop(&echo);
	close(holder);
}

/* 1,000 requests of nkinds kinds from first: everything as it was. */
static void
hygiene_after(int first, int nkinds)
{
	struct rexecd_proc d;
	struct snapshot start, end;
	const char *const extra[] = { "-w", "2", NULL };
	int settled = 0;

	snprintf(marker, sizeof(marker), "hygiene-%d-%d", (int)getpid(),
	    first);
	rexecd_start(&d, "max_workers = 2\nkill_grace = 1\n", extra);
	/* Wait (bounded) until both workers are up. */
	for (int i = 0; i < 500 && proc_children(d.pid, NULL, 0) < 2; i++)
		test_sleep_ms(10);
	request(&d, 0);
	/* Idle workers hold the same descriptors: wait until the one that
	 * served has closed its connection. */
	snapshot_take(&start, d.pid);
	for (int i = 0; i < 500 && start.nworkers == 2 &&
	    strcmp(start.worker_fds[0], start.worker_fds[1]) != 0; i++) {
		snapshot_free(&start);
		test_sleep_ms(10);
		snapshot_take(&start, d.pid);
	}
	cr_assert_eq(start.nworkers, 2);
	cr_assert_str_eq(start.worker_fds[0], start.worker_fds[1]);

	for (int i = 0; i < 1000; i++)
		request(&d, first + i % nkinds);

	cr_assert_eq(proc_wait_marker_gone(marker, 10000), 0,
	    "commands with the marker are still running");
	for (int i = 0; i < 500 && !settled; i++) {
		settled = same_as(&start, d.pid);
		if (!settled)
			test_sleep_ms(20);
	}
	snapshot_take(&end, d.pid);
	cr_assert_str_eq(end.master_fds, start.master_fds);
	cr_assert_eq(end.nworkers, start.nworkers);
	for (size_t i = 0; i < end.nworkers; i++) {
		cr_assert_eq(end.workers[i], start.workers[i],
		    "a worker was replaced");
		cr_assert_str_eq(end.worker_fds[i], start.worker_fds[i]);
		cr_assert_eq(proc_children(end.workers[i], NULL, 0), 0,
		    "a worker still has a child");
	}
	cr_assert_eq(proc_zombies(d.pid), 0);
	cr_assert_eq(proc_children(d.pid, NULL, 0), end.nworkers,
	    "the master has children besides its workers");
	cr_assert_eq(ptys_held(d.pid), 0, "pseudo-terminals still held");
	snapshot_free(&start);
	snapshot_free(&end);
	cr_assert_eq(rexecd_stop(&d), 0);
}
