/* SPDX-License-Identifier: ISC */
/*
 * Fleet output on a terminal (issue 18): control characters a command
 * prints are shown escaped, so no host can rewrite another host's line;
 * --raw prints them as they came; not on a terminal, output stays byte
 * for byte.  The real client on a pseudo-terminal, against two daemons.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "pty_run.h"
#include "rexec_run.h"
#include "rexecd_proc.h"

#define WAIT_MS		20000
/* ESC, CR, a C1 CSI as UTF-8 and as a raw byte, TAB and an é, then the
 * same escapes on stderr. */
#define HOSTILE	"printf 'a\\033[2J\\rX\\302\\2331A\\2332K\\t\\303\\251\\n'; " \
		"printf 'e\\033]0;t\\a\\n' >&2"
#define SHOWN	"a\\033[2J\\rX\\302\\2331A\\2332K\t\xc3\xa9"
#define RAW	"a\033[2J\rX\xc2\x9b" "1A\x9b" "2K\t\xc3\xa9"

static struct rexecd_proc	d[2];
static char			list[128];

static void
setup(void)
{
	for (int i = 0; i < 2; i++)
		rexecd_start(&d[i], NULL, NULL);
	snprintf(list, sizeof(list), "127.0.0.1:%d,127.0.0.1:%d", d[0].port,
	    d[1].port);
	/* Printable UTF-8 passes in a UTF-8 locale. */
	setenv("LC_ALL", "C.UTF-8", 1);
}

static void
teardown(void)
{
	for (int i = 0; i < 2; i++)
		if (d[i].pid > 0)
			rexecd_stop(&d[i]);
}

TestSuite(fleet_terminal, .init = setup, .fini = teardown, .timeout = 90);

/* rexec -w LIST [opt] HOSTILE on a pty (stderr too); what it showed. */
static void
on_pty(struct pty_run *p, const char *opt)
{
	const char *argv[8] = { rexec_bin(), "-w", list };
	int n = 3, st;

	if (opt != NULL)
		argv[n++] = opt;
	argv[n++] = HOSTILE;
	argv[n] = NULL;
	pty_spawn(p, NULL, argv);
	st = pty_wait(p, WAIT_MS);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x:\n%s", st,
	    p->out);
}

/* "127.0.0.1:PORT: " then line, shown. */
static void
assert_shown(const struct pty_run *p, int port, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "127.0.0.1:%d: %s", port, line);
	cr_assert_not_null(strstr(p->out, want), "no \"%s\" in:\n%s", want,
	    p->out);
}

/* Nothing that moves the cursor or starts a sequence reached it; CR only
 * as the terminal's own, before its newline. */
static void
assert_no_controls(const struct pty_run *p)
{
	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->out[i];
		cr_assert(c != 0x1b && c != 0x9b && c != 0x07,
		    "control %#x at %zu:\n%s", c, i, p->out);
		cr_assert(c != '\r' || p->out[i + 1] == '\n',
		    "a bare CR at %zu:\n%s", i, p->out);
		cr_assert(!(c == 0xc2 && (unsigned char)p->out[i + 1] < 0xa0),
		    "a C1 at %zu:\n%s", i, p->out);
	}
}

Test(fleet_terminal, escaped_on_a_terminal)
{
	struct pty_run p;

	on_pty(&p, NULL);
	for (int i = 0; i < 2; i++) {
		assert_shown(&p, d[i].port, SHOWN "\r\n");
		assert_shown(&p, d[i].port, "e\\033]0;t\\a\r\n");
	}
	assert_no_controls(&p);
	pty_free(&p);
}

/* -N and -b too: no prefix is no licence. */
Test(fleet_terminal, escaped_without_prefix_and_gathered)
{
	struct pty_run p;

	on_pty(&p, "-N");
	cr_assert_not_null(strstr(p.out, "\r\n" SHOWN "\r\n") ?
	    strstr(p.out, "\r\n" SHOWN "\r\n") : strstr(p.out, SHOWN "\r\n"),
	    "%s", p.out);
	assert_no_controls(&p);
	pty_free(&p);
	on_pty(&p, "-b");
	cr_assert_not_null(strstr(p.out, "(2)\r\n----------------\r\n" SHOWN
	    "\r\n"), "%s", p.out);
	assert_no_controls(&p);
	pty_free(&p);
}

Test(fleet_terminal, raw_on_request)
{
	struct pty_run p;

	on_pty(&p, "--raw");
	for (int i = 0; i < 2; i++) {
		assert_shown(&p, d[i].port, RAW "\r\n");
		assert_shown(&p, d[i].port, "e\033]0;t\a\r\n");
	}
	pty_free(&p);
}

/* Into a file: the bytes as the commands wrote them. */
Test(fleet_terminal, byte_exact_off_a_terminal)
{
	struct rexec_run r;
	char want[128];

	rexec_run(&r, NULL, "-w", list, HOSTILE, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s",
	    r.err);
	for (int i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "127.0.0.1:%d: " RAW "\n",
		    d[i].port);
		cr_assert_not_null(strstr(r.out, want), "%s", r.out);
		snprintf(want, sizeof(want), "127.0.0.1:%d: e\033]0;t\a\n",
		    d[i].port);
		cr_assert_not_null(strstr(r.err, want), "%s", r.err);
	}
	rexec_run_free(&r);
	rexec_run(&r, NULL, "-b", "-w", list, HOSTILE, NULL);
	cr_assert_not_null(strstr(r.out, "(2)\n----------------\n" RAW "\n"),
	    "%s", r.out);
	rexec_run_free(&r);
}

/* --raw belongs to fleet mode. */
Test(fleet_terminal, raw_needs_dash_w)
{
	struct rexec_run r;

	rexec_run(&r, NULL, "--raw", "127.0.0.1:1", "true", NULL);
	assert_one_line(&r, "rexec: --raw is an option of fleet mode", "-w");
	rexec_run_free(&r);
}
