/* SPDX-License-Identifier: ISC */
/* Signal names, error codes and the I/O helpers. */
#include <sys/socket.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "errcode.h"
#include "fdio.h"
#include "signames.h"

Test(tables, signal_names_both_ways)
{
	const struct { int n; const char *s; } want[] = {
		{ SIGINT, "INT" }, { SIGTERM, "TERM" }, { SIGHUP, "HUP" },
		{ SIGKILL, "KILL" }, { SIGQUIT, "QUIT" }, { SIGUSR1, "USR1" },
		{ SIGUSR2, "USR2" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_str_eq(signame_from_number(want[i].n), want[i].s);
		cr_assert_eq(signame_to_number(want[i].s), want[i].n);
		cr_assert(signame_forwardable(want[i].n));
	}
	cr_assert_str_eq(signame_from_number(SIGSEGV), "SEGV");
	cr_assert_not(signame_forwardable(SIGSEGV));
	cr_assert_eq(signame_to_number("NOPE"), -1);
	cr_assert_eq(signame_to_number("SIGINT"), -1);
	cr_assert_null(signame_from_number(0));
}

Test(tables, error_codes_both_ways)
{
	const char *names[] = { "bad_frame", "bad_request", "version", "auth",
	    "spawn", "timeout", "busy", "internal" };
	enum err_code c;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cr_assert_eq(err_code_from_name(names[i], &c), 0);
		cr_assert_str_eq(err_code_name(c), names[i]);
	}
	cr_assert_eq(err_code_from_name("none", &c), -1);
	cr_assert_eq(err_code_from_name("BAD_FRAME", &c), -1);
}

Test(tables, read_full_and_write_full_across_short_transfers)
{
	int sv[2], sndbuf = 4096;
	static char out[1 << 20], in[1 << 20];
	pid_t pid;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 13);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	cr_assert_eq(set_nonblock(sv[0], 1), 0);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		close(sv[1]);
		_exit(write_full(sv[0], out, sizeof(out)) == 0 ? 0 : 1);
	}
	close(sv[0]);
	cr_assert_eq(read_full(sv[1], in, sizeof(in)), (ssize_t)sizeof(in));
	cr_assert_eq(memcmp(in, out, sizeof(in)), 0);
	cr_assert_eq(read_full(sv[1], in, 10), 0, "EOF after the writer");
	close(sv[1]);
}
