/* SPDX-License-Identifier: ISC */
/*
 * Issue 18: what a client can make the daemon log.  Its text (a frame
 * type, a cwd, argv[0], a command, an account name) reaches the log
 * escaped, so it can forge no line and send no terminal escape; and a
 * flood of bad requests is logged in a bounded number of lines.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemon/authlog.h"
#include "clock.h"
#include "daemon_util.h"
#include "hostile_util.h"
#include "rexecd_proc.h"

/* A log line of its own, if it got there raw; with terminal escapes
 * (clear screen, window title, a C1 CSI). */
#define FORGED	"\\nworker: 10.9.9.9:4242 root 'rm -rf /srv': exit 0" \
		"\\u001b[2J\\u001b]0;owned\\u0007\\u009b31m"

static struct rexecd_proc d;

/* One request from src (so that no address's log budget is spent);
 * waits until the daemon closes. */
static void
send_from(const char *src, const char *json)
{
	char buf[512];
	int fd = ht_connect_from(&d, src, true);

	cr_assert_neq(fd, -1);
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(dt_send_exec(fd, json), 0);
	cr_assert(ht_wait_close(fd, 20000, buf, sizeof(buf)), "not closed");
	close(fd);
}

static void
assert_clean(const char *log)
{
	const char *line = log;

	for (const unsigned char *p = (const unsigned char *)log; *p != '\0';
	    p++)
		cr_assert((*p >= 0x20 && *p < 0x7f) || *p == '\n',
		    "raw byte %#x in the log at %td:\n%s", *p,
		    (const char *)p - log, log);
	for (; *line != '\0'; line = strchr(line, '\n') + 1) {
		cr_assert(strncmp(line, "worker: 10.9.9.9", 16) != 0,
		    "a forged line:\n%s", log);
		if (strchr(line, '\n') == NULL)
			break;
	}
}

Test(hostile_log, client_text_is_escaped_in_the_log, .timeout = 120)
{
	static const char *const logged[] = {
		"unknown frame type", "cannot change directory",
		"command not found", "account '", "exit 127",
	};
	char *log;

	rexecd_start(&d, "log_level = debug\n", NULL);
	send_from("127.0.0.10", "{\"type\": \"x" FORGED "\"}");
	send_from("127.0.0.11", "{\"cmd\": \"true\", \"cwd\": \"/nonexistent"
	    FORGED "\"}");
	send_from("127.0.0.12", "{\"argv\": [\"no-such" FORGED "\"]}");
	send_from("127.0.0.13", "{\"cmd\": \"\\u001b[2J:" FORGED "\"}");
	send_from("127.0.0.14", "{\"cmd\": \"true\", \"user\": \"x" FORGED
	    "\"}");
	for (size_t i = 0; i < sizeof(logged) / sizeof(logged[0]); i++)
		cr_assert_eq(rexecd_wait_log(&d, logged[i], 10000), 0,
		    "no line with \"%s\"", logged[i]);
	log = rexecd_log(&d);
	assert_clean(log);
	/* Each made a line, escaped: the newline shows as \n. */
	cr_assert_geq(ht_count(log, "\\nworker: 10.9.9.9"), 5, "%s", log);
	free(log);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/*
 * A flood of bad frames from one address: at most a burst of lines per
 * window for it, while another address's error is still logged.
 */
Test(hostile_log, bad_frame_flood_is_logged_boundedly, .timeout = 180)
{
	static const unsigned char bad[] = { 0, 0, 0, 0 };	/* H = 0 */
	long long start = now_ms(), windows;
	char buf[256], *log;
	size_t lines;
	int fd;

	rexecd_start(&d, NULL, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 300; i++) {
		cr_assert_neq(fd = ht_connect_from(&d, "127.0.0.5", true), -1);
		dt_send_raw(fd, bad, sizeof(bad));
		cr_assert(ht_wait_close(fd, 10000, buf, sizeof(buf)));
		close(fd);
	}
	windows = (now_ms() - start) / AUTHLOG_WINDOW_MS + 2;
	send_from("127.0.0.6", "{\"type\": \"nonsense\"}");
	cr_assert_eq(rexecd_wait_log(&d, "127.0.0.6:", 10000), 0,
	    "one address's flood silenced another's error");
	log = rexecd_log(&d);
	lines = ht_count(log, "127.0.0.5:");
	cr_assert_geq(lines, 1, "the errors must be logged with the peer");
	cr_assert_leq(lines, (size_t)windows * AUTHLOG_BURST,
	    "%zu lines for 300 bad frames", lines);
	assert_clean(log);
	free(log);
	cr_assert_eq(rexecd_stop(&d), 0);
}
