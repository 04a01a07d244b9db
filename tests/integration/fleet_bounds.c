/* SPDX-License-Identifier: ISC */
/*
 * Fleet mode's memory stays bounded whatever the hosts print (issue 18):
 * -b spills held output to an unlinked file past its bound and still
 * folds identical outputs; --json frees a host's output once printed.
 * The bound is on memory (the client's peak RSS), not on time.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"
#include "srctree.h"

#define WIDE_CONF	"allow = 127.0.0.0/8\nmax_workers = 128\n"
#define BIG		(64UL * 1024 * 1024)
#define RSS_BOUND_KB	(32 * 1024)
#define RULE		"----------------\n"

static struct rexecd_proc	d[2];
static char			dir[] = "/tmp/rexec-fbounds-XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	for (int i = 0; i < 2; i++)
		if (d[i].pid > 0)
			rexecd_stop(&d[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		cr_log_warn("cannot remove %s", dir);
}

TestSuite(fleet_bounds, .init = setup, .fini = teardown, .timeout = 240);

/* A daemon on 0.0.0.0, for any 127.0.0.x. */
static void
start_wide(struct rexecd_proc *p)
{
	const char *args[] = { "-f", p->conf, "-p", "0", "-l", "0.0.0.0",
	    NULL };

	cr_assert_eq(rexecd_start_args(p, WIDE_CONF, args), 0,
	    "rexecd on 0.0.0.0 did not start");
}

/* Under AddressSanitizer (make asan) freed memory is held back in its
 * quarantine, which would count as the client's: none is kept. */
static void
run(struct rexec_run *r, const char *const *argv)
{
	static char asan[512];
	const char *was = getenv("ASAN_OPTIONS");
	const char *env[] = { asan, NULL };
	struct rexec_opts o = { .env = env };

	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%squarantine_size_mb=0",
	    was != NULL ? was : "", was != NULL && was[0] != '\0' ? ":" : "");
	rexec_spawn(r, &o, argv);
	rexec_wait(r);
	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0,
	    "status %#x: %s", r->status, r->err);
}

/* text at *p, then *p moves past it. */
static void
expect_text(const char **p, const char *end, const char *text)
{
	size_t n = strlen(text);

	cr_assert((size_t)(end - *p) >= n && memcmp(*p, text, n) == 0,
	    "expected '%s' at %zu", text, (size_t)(end - *p));
	*p += n;
}

static void
expect_zeros(const char **p, const char *end, size_t n)
{
	cr_assert((size_t)(end - *p) >= n, "output cut short");
	for (size_t i = 0; i < n; i++)
		cr_assert((*p)[i] == '\0', "byte %zu is %#x", i, (*p)[i]);
	*p += n;
}

/* Five hosts of 64 MiB each: four alike, one differing in its last
 * bytes only (same size, so the hash or the bytes must tell them apart). */
Test(fleet_bounds, gather_spills_and_folds)
{
	struct rexec_run r;
	char cmd[512], list[256], head[256], tail[64];
	const char *argv[] = { rexec_bin(), "-b", "-w", list, cmd, NULL };
	const char *p, *end;

	rexecd_start(&d[0], NULL, NULL);
	start_wide(&d[1]);
	for (int i = 0; i < 2; i++) {
		FILE *f;
		snprintf(tail, sizeof(tail), "%s/tail.%d", dir, d[i].pid);
		cr_assert_not_null(f = fopen(tail, "w"));
		fputs(i == 0 ? "a\n" : "b\n", f);
		fclose(f);
	}
	/* The command's parent is the master (it spawns the commands). */
	test_path(cmd, sizeof(cmd), "m=$PPID; "
	    "head -c %lu /dev/zero; cat %s/tail.$m", BIG, dir);
	snprintf(list, sizeof(list), "127.0.0.[2-3]:%d,127.0.0.1:%d,"
	    "127.0.0.[4-5]:%d", d[1].port, d[0].port, d[1].port);
	run(&r, argv);
	cr_assert_lt(r.maxrss_kb, RSS_BOUND_KB, "rexec -b grew to %ld KiB",
	    r.maxrss_kb);
	cr_assert_eq(r.out_len, 2 * (BIG + 2) + 4 * strlen(RULE) +
	    strlen("127.0.0.[2-5]:00000 (4)\n") +
	    strlen("127.0.0.1:00000 (1)\n"), "%zu bytes", r.out_len);
	p = r.out;
	end = r.out + r.out_len;
	snprintf(head, sizeof(head), RULE "127.0.0.[2-5]:%d (4)\n" RULE,
	    d[1].port);
	expect_text(&p, end, head);
	expect_zeros(&p, end, BIG);
	expect_text(&p, end, "b\n");
	snprintf(head, sizeof(head), RULE "127.0.0.1:%d (1)\n" RULE,
	    d[0].port);
	expect_text(&p, end, head);
	expect_zeros(&p, end, BIG);
	expect_text(&p, end, "a\n");
	cr_assert_eq(p, end);
	rexec_run_free(&r);
}

/* 32 hosts of 1 MiB each, four at a time: what was printed is freed,
 * so the client holds a few hosts' output, not all of it. */
Test(fleet_bounds, json_frees_printed_hosts)
{
	struct rexec_run r;
	char list[128];
	const char *argv[] = { rexec_bin(), "--json", "-f", "4", "-w", list,
	    "head -c 1048576 /dev/zero | tr '\\0' a", NULL };
	int lines = 0;

	start_wide(&d[1]);
	snprintf(list, sizeof(list), "127.0.0.[2-33]:%d", d[1].port);
	run(&r, argv);
	for (const char *s = r.out; (s = strchr(s, '\n')) != NULL; s++)
		lines++;
	cr_assert_eq(lines, 32, "%d lines", lines);
	/* Each line holds its host's whole output. */
	cr_assert_gt(r.out_len, 32 * 1048576UL, "%zu bytes", r.out_len);
	cr_assert_lt(r.maxrss_kb, RSS_BOUND_KB, "rexec --json grew to %ld KiB",
	    r.maxrss_kb);
	rexec_run_free(&r);
}
