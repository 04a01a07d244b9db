/* SPDX-License-Identifier: ISC */
/*
 * The status request and rexec --status: what a busy worker shows (its
 * account, its command cut at 256 characters), the JSON document, and
 * who may ask (status_allow, the token).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "daemon_util.h"
#include "frameio.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "statusmsg.h"

#define READY_MS	10000

static struct rexecd_proc d;
static char addr[64];

static void
start(const char *conf)
{
	rexecd_start(&d, conf, NULL);
	rexec_addr(addr, sizeof(addr), &d);
}

static void
stop(void)
{
	cr_assert_eq(rexecd_stop(&d), 0);
}

TestSuite(status, .timeout = 60);

/* A client whose command runs until killed; returns once it runs (it
 * printed "ready": the worker marked itself busy before that). */
static void
start_busy(struct rexec_run *r, const char *cmd)
{
	const char *argv[] = { rexec_bin(), addr, cmd, NULL };

	rexec_spawn(r, NULL, argv);
	cr_assert_eq(rexec_wait_out(r, "ready", 1, READY_MS), 0,
	    "the busy command did not start");
}

/* Killing the client ends the remote command (the connection closes). */
static void
end_busy(struct rexec_run *r)
{
	kill(r->pid, SIGKILL);
	rexec_wait(r);
	rexec_run_free(r);
}

static json_t *
status_json(void)
{
	struct rexec_run r;
	json_error_t je;
	json_t *doc;

	rexec_run(&r, NULL, "--status", "--json", addr, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0,
	    "status %#x: %s", r.status, r.err);
	doc = json_loads(r.out, 0, &je);
	cr_assert_not_null(doc, "not JSON (%s): %s", je.text, r.out);
	rexec_run_free(&r);
	return doc;
}

/* The worker running a command (phase "command"), or NULL. */
static json_t *
running(json_t *doc)
{
	json_t *w;
	size_t i;

	json_array_foreach(json_object_get(doc, "workers"), i, w) {
		const char *ph = json_string_value(json_object_get(w, "phase"));
		if (ph != NULL && strcmp(ph, "command") == 0)
			return w;
	}
	return NULL;
}

static const char *
me(void)
{
	struct passwd *pw = getpwuid(geteuid());

	cr_assert_not_null(pw);
	return pw->pw_name;
}

Test(status, table_shows_a_busy_workers_command)
{
	struct rexec_run busy, r;
	char marker[64], cmd[128];

	start(NULL);
	dt_marker(marker, sizeof(marker));
	snprintf(cmd, sizeof(cmd), "echo ready; sleep %s", marker);
	start_busy(&busy, cmd);
	rexec_run(&r, NULL, "--status", addr, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
	    r.err);
	cr_assert_not_null(strstr(r.out, "PID  STATE  ELAPSED  SERVED  PEER"),
	    "%s", r.out);
	cr_assert_not_null(strstr(r.out, cmd), "%s", r.out);
	cr_assert_not_null(strstr(r.out, me()), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "busy"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "rexecd " REXEC_VERSION ", pid "),
	    "%s", r.out);
	rexec_run_free(&r);
	/* Not disturbed: still running, nothing more written. */
	cr_assert_eq(waitpid(busy.pid, NULL, WNOHANG), 0);
	cr_assert_eq(rexec_out_count(&busy, "ready"), 1);
	end_busy(&busy);
	stop();
}

Test(status, json_document_parses_back)
{
	struct rexec_run busy;
	json_t *doc, *w;

	start(NULL);
	start_busy(&busy, "echo ready; sleep 600");
	doc = status_json();
	cr_assert_str_eq(json_string_value(json_object_get(doc, "version")),
	    REXEC_VERSION);
	cr_assert_eq(json_integer_value(json_object_get(doc, "pid")), d.pid);
	cr_assert(json_is_integer(json_object_get(doc, "uptime_s")));
	cr_assert(json_is_integer(json_object_get(doc, "served")));
	cr_assert(json_is_integer(json_object_get(doc, "refused")));
	cr_assert_eq(json_integer_value(json_object_get(doc, "generation")),
	    1);
	cr_assert_not_null(w = running(doc));
	cr_assert_str_eq(json_string_value(json_object_get(w, "state")),
	    "busy");
	cr_assert_str_eq(json_string_value(json_object_get(w, "cmd")),
	    "echo ready; sleep 600");
	cr_assert_str_eq(json_string_value(json_object_get(w, "user")), me());
	cr_assert(json_integer_value(json_object_get(w, "pid")) > 0);
	cr_assert(json_integer_value(json_object_get(w, "busy_ms")) >= 0);
	cr_assert_not_null(strstr(json_string_value(json_object_get(w,
	    "peer")), "127.0.0.1:"));
	json_decref(doc);
	end_busy(&busy);
	stop();
}

/* 256 characters, not bytes: a two-byte character is never split. */
Test(status, command_cut_at_256_characters)
{
	char cmd[1024] = "echo ready; sleep 600 #", want[1024];
	struct rexec_run busy;
	json_t *doc, *w;
	size_t chars = strlen(cmd);

	for (int i = 0; i < 300; i++)
		strcat(cmd, "\xc3\xa9");	/* é */
	/* The first 256 characters: the prefix, then 233 é. */
	memcpy(want, cmd, strlen("echo ready; sleep 600 #") + 2 *
	    (STATUS_CMD_MAX - chars));
	want[chars + 2 * (STATUS_CMD_MAX - chars)] = '\0';
	start(NULL);
	start_busy(&busy, cmd);
	doc = status_json();
	cr_assert_not_null(w = running(doc));
	cr_assert_str_eq(json_string_value(json_object_get(w, "cmd")), want);
	json_decref(doc);
	end_busy(&busy);
	stop();
}

/* The request over the wire: the first frame's error code. */
static void
expect_status_error(const char *req_json, const char *code)
{
	struct dt_result res = { 0 };
	int fd = rexecd_connect(&d);

	cr_assert_neq(fd, -1);
	cr_assert_eq(dt_send_exec(fd, req_json), 0);
	cr_assert_eq(dt_read_until(fd, "error", 10000, &res), 0,
	    "no error frame for %s", req_json);
	cr_assert_str_eq(err_code_name(res.err.code), code, "%s: %s",
	    req_json, res.err.message);
	dt_result_free(&res);
	close(fd);
}

static void
expect_refused_client(const char *contains)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "--status", addr, NULL);
	assert_one_line(&r, "rexec: 127.0.0.1: ", contains);
	rexec_run_free(&r);
}

Test(status, status_allow_refuses_other_addresses)
{
	start("status_allow = 127.0.0.2, 10.0.0.0/8\n");
	expect_status_error("{\"type\": \"status\"}", "auth");
	expect_refused_client("status_allow");
	stop();
	start("status_allow =\n");
	expect_status_error("{\"type\": \"status\"}", "auth");
	stop();
	start("status_allow = 127.0.0.0/8\n");
	json_decref(status_json());
	stop();
}

Test(status, version_and_bad_members)
{
	start(NULL);
	expect_status_error("{\"type\": \"status\", \"version\": 2}",
	    "version");
	expect_status_error("{\"type\": \"status\", \"token\": 5}",
	    "bad_request");
	stop();
}

Test(status, token_required)
{
	char conf[PATH_MAX + 32], path[PATH_MAX];
	const char *env[] = { "REXEC_TOKEN=s3cret", NULL };
	struct rexec_opts o = { .env = env };
	char dir[] = "/tmp/rexecd-stok.XXXXXX";
	struct rexec_run r;
	json_t *doc;
	int fd;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/token", dir);
	cr_assert_neq(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), -1);
	cr_assert_eq(write(fd, "s3cret\n", 7), 7);
	close(fd);
	snprintf(conf, sizeof(conf), "token_file = %s\n", path);
	start(conf);
	expect_status_error("{\"type\": \"status\"}", "auth");
	expect_status_error("{\"type\": \"status\", \"token\": \"nope\"}",
	    "auth");
	expect_refused_client("authentication refused");
	rexec_run(&r, &o, "--status", "--json", addr, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
	    r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL));
	/* The three refusals above were counted. */
	cr_assert_eq(json_integer_value(json_object_get(doc, "refused")), 3);
	json_decref(doc);
	rexec_run_free(&r);
	stop();
	unlink(path);
	rmdir(dir);
}
