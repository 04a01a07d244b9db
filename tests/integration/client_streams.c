/* SPDX-License-Identifier: ISC */
/* rexec's streams against a real rexecd: byte for byte, either direction. */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"

#define MIB		(1024 * 1024)
/* Far below the streams' sizes: proves nothing holds a whole stream. */
#define RSS_BOUND_KB	(48 * 1024)

TestSuite(client_streams, .init = suite_daemon_start, .fini = suite_daemon_stop);

static void
assert_exit(const struct rexec_run *r, int code)
{
	cr_assert(WIFEXITED(r->status), "status %#x", r->status);
	cr_assert_eq(WEXITSTATUS(r->status), code, "exit %d, stderr: %s",
	    WEXITSTATUS(r->status), r->err);
}

Test(client_streams, binary_64mib_stdout_exact)
{
	struct rexec_opts o = { .no_load = true };
	struct rexec_run r;
	char src[PATH_MAX + 16], cmd[PATH_MAX + 32];
	struct stat st;

	snprintf(src, sizeof(src), "%s/random", suite_daemon.dir);
	write_random_file(src, 64 * MIB, 42);
	snprintf(cmd, sizeof(cmd), "cat %s", src);
	rexec_run(&r, &o, suite_addr, cmd, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert(stat(r.err_path, &st) == 0 && st.st_size == 0);
	cr_assert(files_equal(src, r.out_path), "stdout differs from %s", src);
	cr_assert_lt(r.maxrss_kb, RSS_BOUND_KB, "rexec grew to %ld KiB",
	    r.maxrss_kb);
	rexec_run_free(&r);
}

Test(client_streams, seq_200000)
{
	struct rexec_run r;
	char *expect;
	size_t len;
	FILE *mem = open_memstream(&expect, &len);

	for (int i = 1; i <= 200000; i++)
		fprintf(mem, "%d\n", i);
	fclose(mem);
	rexec_run(&r, NULL, suite_addr, "seq", "1", "200000", NULL);
	assert_exit(&r, 0);
	cr_assert_eq(r.out_len, len);
	cr_assert(memcmp(r.out, expect, len) == 0);
	cr_assert_eq(r.err_len, 0);
	free(expect);
	rexec_run_free(&r);
}

Test(client_streams, interleaved_stdout_stderr_exact)
{
	struct rexec_opts o = { .no_load = true };
	struct rexec_run r;
	char a[PATH_MAX + 8], b[PATH_MAX + 8], cmd[3 * PATH_MAX];

	snprintf(a, sizeof(a), "%s/a", suite_daemon.dir);
	snprintf(b, sizeof(b), "%s/b", suite_daemon.dir);
	write_random_file(a, 4 * MIB, 1);
	write_random_file(b, 4 * MIB, 2);
	/* 64 KiB to stdout, then 64 KiB to stderr, 64 times each. */
	snprintf(cmd, sizeof(cmd), "for i in $(seq 0 63); do "
	    "dd if=%s bs=65536 skip=$i count=1 status=none; "
	    "dd if=%s bs=65536 skip=$i count=1 status=none >&2; done", a, b);
	rexec_run(&r, &o, suite_addr, cmd, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	cr_assert(files_equal(a, r.out_path), "stdout differs");
	cr_assert(files_equal(b, r.err_path), "stderr differs");
	rexec_run_free(&r);
}

Test(client_streams, stdin_100mib_piped_checksum)
{
	struct rexec_run r;
	char src[PATH_MAX + 16], sum[65], cmd[PATH_MAX + 128], env[PATH_MAX];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	const char *envv[] = { env, NULL };
	struct rexec_opts o = { .env = envv };

	snprintf(src, sizeof(src), "%s/stdin", suite_daemon.dir);
	write_random_file(src, 100 * MIB, 7);
	sha256_file(src, sum);
	snprintf(env, sizeof(env), "REXEC=%s", rexec_bin());
	snprintf(cmd, sizeof(cmd), "cat '%s' | \"$REXEC\" %s sha256sum",
	    src, suite_addr);
	rexec_spawn(&r, &o, argv);
	rexec_wait(&r);
	assert_exit(&r, 0);
	cr_assert_eq(strncmp(r.out, sum, 64), 0, "remote %.64s, local %s",
	    r.out, sum);
	cr_assert_lt(r.maxrss_kb, RSS_BOUND_KB, "grew to %ld KiB",
	    r.maxrss_kb);
	rexec_run_free(&r);
}

Test(client_streams, stdin_text_roundtrip)
{
	struct rexec_opts o = { .stdin_text = "one\ntwo\n\nno newline" };
	struct rexec_run r;

	rexec_run(&r, &o, suite_addr, "cat", NULL);
	assert_exit(&r, 0);
	cr_assert_str_eq(r.out, "one\ntwo\n\nno newline");
	rexec_run_free(&r);
}

Test(client_streams, stdin_eof_reaches_command)
{
	struct rexec_run r;

	/* stdin is /dev/null: the command sees EOF at once. */
	rexec_run(&r, NULL, suite_addr, "wc", "-c", NULL);
	assert_exit(&r, 0);
	cr_assert_str_eq(r.out, "0\n");
	rexec_run_free(&r);
}

Test(client_streams, no_stdin_option_ignores_open_pipe)
{
	struct rexec_run r;
	char fifo[PATH_MAX + 16];
	struct rexec_opts o = { .stdin_file = fifo };
	const char *argv[] = { rexec_bin(), "-n", suite_addr, "cat", NULL };
	int keep;

	snprintf(fifo, sizeof(fifo), "%s/fifo", suite_daemon.dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	/* Held open for writing and never written: only -n lets cat end. */
	keep = open(fifo, O_RDWR);
	cr_assert_neq(keep, -1);
	rexec_spawn(&r, &o, argv);
	rexec_wait(&r);
	close(keep);
	assert_exit(&r, 0);
	cr_assert_eq(r.out_len, 0);
	rexec_run_free(&r);
}

Test(client_streams, closed_stdin_sends_none)
{
	struct rexec_opts o = { .stdin_closed = true };
	struct rexec_run r;

	rexec_run(&r, &o, suite_addr, "cat; echo done", NULL);
	assert_exit(&r, 0);
	cr_assert_str_eq(r.out, "done\n");
	rexec_run_free(&r);
}

/* stdin flows only once the command runs: a refused one leaves it unread. */
Test(client_streams, refused_request_leaves_stdin_unread)
{
	struct rexec_run r;
	char cmd[PATH_MAX + 128], env[PATH_MAX];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	const char *envv[] = { env, NULL };
	struct rexec_opts o = { .env = envv, .stdin_text = "keep me\n" };

	snprintf(env, sizeof(env), "REXEC=%s", rexec_bin());
	snprintf(cmd, sizeof(cmd), "\"$REXEC\" -C /nonexistent %s cat; "
	    "echo status $?; cat", suite_addr);
	rexec_spawn(&r, &o, argv);
	rexec_wait(&r);
	assert_exit(&r, 0);
	cr_assert_str_eq(r.out, "status 255\nkeep me\n");
	cr_assert_not_null(strstr(r.err, "rexec: 127.0.0.1: spawn: "), "%s",
	    r.err);
	rexec_run_free(&r);
}

/* A reader that stalls slows the command; rexec does not buffer for it. */
Test(client_streams, slow_reader_bounded_memory)
{
	struct rexec_run r;
	char cmd[PATH_MAX + 128], env[PATH_MAX];
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	const char *envv[] = { env, NULL };
	struct rexec_opts o = { .env = envv };

	snprintf(env, sizeof(env), "REXEC=%s", rexec_bin());
	snprintf(cmd, sizeof(cmd), "\"$REXEC\" %s 'head -c 67108864 "
	    "/dev/zero' | { sleep 1; wc -c; }", suite_addr);
	rexec_spawn(&r, &o, argv);
	rexec_wait(&r);
	assert_exit(&r, 0);
	cr_assert_eq(atol(r.out), 67108864L, "%s", r.out);
	cr_assert_lt(r.maxrss_kb, RSS_BOUND_KB, "grew to %ld KiB",
	    r.maxrss_kb);
	rexec_run_free(&r);
}
