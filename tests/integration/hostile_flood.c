/* SPDX-License-Identifier: ISC */
/*
 * Issue 18: what one unauthenticated address can do to everyone else.
 * The attacker's connections come from an address of its own (127.0.0.x
 * bound before connecting); the real clients from 127.0.0.1 must all be
 * served while it floods.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "daemon_util.h"
#include "hostile_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define SLOW		60
#define SILENT		300
#define ATTACK_MAX_MS	150000
#define DRIP_MS		300

static struct rexecd_proc d;

struct attacker {
	int	fd[SLOW + SILENT];
	int	sent[SLOW + SILENT];	/* bytes sent, on the slow ones */
};

static void
reopen(const struct rexecd_proc *p, struct attacker *a, int i)
{
	if (a->fd[i] != -1)
		close(a->fd[i]);
	a->fd[i] = ht_connect_from(p, "127.0.0.2", false);
	a->sent[i] = 0;
}

/* The slow ones send a frame length, then one byte per tick (a header
 * that never ends); the silent ones nothing.  Whatever the daemon closes
 * is opened again at the next tick. */
static void
drip(const struct rexecd_proc *p, struct attacker *a, bool *dead, int n)
{
	static const unsigned char start[4] = { 0, 0, 0x7f, 0 };

	for (int i = 0; i < n; i++) {
		if (dead[i]) {
			reopen(p, a, i);
			dead[i] = false;
			continue;
		}
		if (i >= SLOW || a->fd[i] == -1)
			continue;
		if (send(a->fd[i], a->sent[i] < 4 ? (const void *)start :
		    (const void *)" ", a->sent[i] < 4 ? 4 : 1,
		    MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
			a->sent[i] += a->sent[i] < 4 ? 4 : 1;
		else if (errno != EAGAIN && errno != ENOTCONN)
			dead[i] = true;
	}
}

/* The attacker process: bounded in time, killed by the test before. */
static void __attribute__((noreturn))
attack(const struct rexecd_proc *p, int ready)
{
	static struct attacker a;
	static struct pollfd pf[SLOW + SILENT];
	static bool dead[SLOW + SILENT];
	const int n = SLOW + SILENT;
	long long end = now_ms() + ATTACK_MAX_MS, tick = 0;
	char junk[512];

	for (int i = 0; i < n; i++) {
		a.fd[i] = -1;
		reopen(p, &a, i);
	}
	(void)!write(ready, "r", 1);
	close(ready);
	while (now_ms() < end) {
		if (now_ms() >= tick) {
			drip(p, &a, dead, n);
			tick = now_ms() + DRIP_MS;
		}
		for (int i = 0; i < n; i++)
			pf[i] = (struct pollfd){ .fd = dead[i] ? -1 : a.fd[i],
			    .events = POLLIN };
		if (poll(pf, (nfds_t)n, DRIP_MS) <= 0)
			continue;
		for (int i = 0; i < n; i++)
			if (pf[i].revents != 0 &&
			    read(a.fd[i], junk, sizeof(junk)) <= 0 &&
			    errno != EAGAIN)
				dead[i] = true;
	}
	_exit(0);
}

static pid_t
start_attack(const struct rexecd_proc *p)
{
	int pfd[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(pfd), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		close(pfd[0]);
		attack(p, pfd[1]);
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, 1), 1, "the attacker did not start");
	close(pfd[0]);
	return pid;
}

static void
stop_attack(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
}

static int
real_client(const struct rexecd_proc *p)
{
	struct rexec_run r;
	char addr[64];
	int ok;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", p->port);
	rexec_run(&r, NULL, addr, "echo", "served", NULL);
	ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 &&
	    strcmp(r.out, "served\n") == 0;
	if (!ok)
		cr_log_warn("rexec failed: status %d: %s", r.status, r.err);
	rexec_run_free(&r);
	return ok;
}

/*
 * 60 slow and 300 silent connections from 127.0.0.2, reopened as soon as
 * they are closed: every real request from 127.0.0.1 succeeds, from the
 * start of the attack until the attacker's address is penalised for its
 * silent connections, and after.
 */
Test(hostile_flood, slow_and_silent_flood_starves_no_other_address,
    .timeout = 300)
{
	int failures = 0, runs = 0;
	bool penalised = false;
	pid_t attacker;

	rexecd_start(&d, "request_timeout = 2\n", NULL);
	attacker = start_attack(&d);
	for (; runs < 400 && (runs < 40 || !penalised); runs++) {
		failures += !real_client(&d);
		if (!penalised)
			penalised = rexecd_wait_log(&d, "127.0.0.2", 0) == 0 &&
			    rexecd_wait_log(&d, "address penalised", 0) == 0;
	}
	stop_attack(attacker);
	cr_assert_eq(failures, 0, "%d of %d real requests failed", failures,
	    runs);
	cr_assert(penalised, "the flooding address was never penalised");
	cr_assert_eq(rexecd_stop(&d), 0);
}

/*
 * No address holds more than per_source_max_startups connections silent
 * for a second or more: once it does, its next ones are refused as busy
 * at once, not queued.  (A burst of requests that come at once is not
 * held against it.)
 */
Test(hostile_flood, per_source_max_startups_caps_one_address,
    .timeout = 120)
{
	enum { N = 64, CAP = 5, AFTER = 5 };
	int fd[N + AFTER], held = 0, busy = 0;
	char buf[512];
	bool refused = false;

	rexecd_start(&d, "workers = 24\nmax_workers = 80\n"
	    "request_timeout = 60\nper_source_max_startups = 5\n", NULL);
	/* Silent ones until the cap refuses one: the first CAP have aged
	 * by then.  Each is given 100 ms to be refused. */
	while (!refused && held < N) {
		cr_assert_neq(fd[held] = ht_connect_from(&d, "127.0.0.4", true),
		    -1);
		refused = ht_wait_close(fd[held], 100, buf, sizeof(buf)) &&
		    strstr(buf, "per_source_max_startups") != NULL;
		held++;
	}
	cr_assert(refused, "%d silent connections, none refused", held);
	cr_assert_geq(held - 1, CAP, "refused with only %d held", held - 1);
	/* From now on, every new one hears at once. */
	for (int i = 0; i < AFTER; i++) {
		cr_assert_neq(fd[held + i] = ht_connect_from(&d, "127.0.0.4",
		    true), -1);
		busy += ht_wait_close(fd[held + i], 3000, buf, sizeof(buf)) &&
		    strstr(buf, "per_source_max_startups") != NULL;
	}
	cr_assert_eq(busy, AFTER, "only %d of %d refused", busy, AFTER);
	cr_assert(real_client(&d), "another address was not served");
	for (int i = 0; i < held + AFTER; i++)
		close(fd[i]);
	cr_assert_eq(rexecd_stop(&d), 0);
}

static void
write_token(const char *dir, char *path, size_t len)
{
	FILE *fp;

	snprintf(path, len, "%s/token", dir);
	cr_assert_not_null(fp = fopen(path, "w"));
	fputs("s3cret\n", fp);
	fclose(fp);
	chmod(path, 0600);
}

/* One exec from src; the error frame's text, or "" after an exit. */
static void
exec_from(const char *src, const char *token, char *buf, size_t len)
{
	char json[128];
	int fd = ht_connect_from(&d, src, true);

	cr_assert_neq(fd, -1);
	snprintf(json, sizeof(json), "{\"cmd\": \"true\", \"token\": "
	    "\"%s\"}", token);
	/* A closed connection may reset our write: the answer counts. */
	signal(SIGPIPE, SIG_IGN);
	(void)dt_send_exec(fd, json);
	cr_assert(ht_wait_close(fd, 10000, buf, len), "never closed");
	close(fd);
}

/*
 * Wrong tokens from one address: it is penalised after a few (then even
 * the right token is refused at once from it), while another address
 * with the right token is served.
 */
Test(hostile_flood, wrong_tokens_penalise_their_address, .timeout = 120)
{
	char dir[] = "/tmp/rexecd-hostile.XXXXXX", path[PATH_MAX];
	const char *extra[] = { "-T", path, NULL };
	char buf[512];
	int tries = 0;
	struct dt_result r;

	cr_assert_not_null(mkdtemp(dir));
	write_token(dir, path, sizeof(path));
	rexecd_start(&d, NULL, extra);
	do {
		exec_from("127.0.0.3", "wrong", buf, sizeof(buf));
		cr_assert(strstr(buf, "auth") != NULL, "not refused: %s", buf);
	} while (strstr(buf, "penalised") == NULL && ++tries < 20);
	/* 20 s of penalty_min at 5 s a failure. */
	cr_assert_leq(tries, 4, "penalised only after %d failures", tries);
	/* Even the right token, and a flood of them: not one is served. */
	for (int i = 0; i < 200; i++) {
		exec_from("127.0.0.3", "s3cret", buf, sizeof(buf));
		cr_assert(strstr(buf, "started") == NULL &&
		    strstr(buf, "exit") == NULL, "served while penalised");
	}
	dt_run(&d, "{\"cmd\": \"echo ok\", \"token\": \"s3cret\"}", NULL, 0,
	    &r);
	cr_assert(r.got_exit && r.st.code == 0, "another address refused");
	dt_result_free(&r);
	cr_assert_eq(rexecd_wait_log(&d, "127.0.0.3", 0), 0);
	cr_assert_eq(rexecd_stop(&d), 0);
	unlink(path);
	rmdir(dir);
}
