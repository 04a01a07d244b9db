/* SPDX-License-Identifier: ISC */
/*
 * A command whose descriptor set-up fails in the child (before the status
 * pipe is moved to fd 3) is reported as a spawn error, not as a started
 * command (issue 19).  The fault: in the daemon's own mount namespace,
 * /dev/null is a socket, which open(2) refuses (ENXIO), so a command
 * without stdin cannot get its /dev/null.  Needs root (a mount
 * namespace): skipped without.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexecd_proc.h"

static struct rexecd_proc d;
static char dir[] = "/tmp/rexec-spawnfault.XXXXXX";
static char sock[sizeof(dir) + 16], wrapper[sizeof(dir) + 16];

/* A socket's inode, to mount over /dev/null. */
static void
make_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_neq(fd, -1);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0,
	    "bind %s: %s", sock, strerror(errno));
	close(fd);
}

/* rexecd exec'd (same pid) in a mount namespace of its own. */
static void
make_wrapper(void)
{
	FILE *f = fopen(wrapper, "w");

	cr_assert_not_null(f);
	fprintf(f, "#!/bin/sh\nexec unshare -m --propagation private sh -c "
	    "'mount --bind \"$0\" /dev/null && exec \"$@\"' %s %s \"$@\"\n",
	    sock, rexecd_bin());
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(wrapper, 0700), 0);
}

/* Whether this host lets us make the namespace at all. */
static int
namespaces_work(void)
{
	int status = system("unshare -m --propagation private true "
	    ">/dev/null 2>&1");

	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("spawn_faults: needs root (a mount namespace)");
	if (!namespaces_work())
		cr_skip_test("spawn_faults: unshare -m refused here");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/null", dir);
	snprintf(wrapper, sizeof(wrapper), "%s/rexecd", dir);
	make_socket();
	make_wrapper();
	cr_assert_eq(setenv("REXECD_BIN", wrapper, 1), 0);
	rexecd_start(&d, "workers = 1\n", NULL);
}

static void
teardown(void)
{
	if (d.pid > 0)
		cr_expect_eq(rexecd_stop(&d), 0);
	unlink(wrapper);
	unlink(sock);
	rmdir(dir);
}

TestSuite(spawn_faults, .init = setup, .fini = teardown, .timeout = 60);

Test(spawn_faults, child_setup_failure_is_a_spawn_error)
{
	struct dt_result r;

	dt_run(&d, "{\"cmd\": \"echo ran\", \"stdin\": false}", NULL, 0, &r);
	cr_assert_not(r.started, "started (exit %d), output '%s'",
	    r.st.code, r.out != NULL ? r.out : "");
	cr_assert(r.got_error, "no error frame");
	cr_assert_str_eq(err_code_name(r.err.code), "spawn", "%s",
	    r.err.message);
	cr_assert_str_eq(r.err.message, "cannot set up the command: "
	    "No such device or address");
	dt_result_free(&r);
	/* A command with its stdin (a pipe, no /dev/null) still runs. */
	dt_run(&d, "{\"cmd\": \"echo ran\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0, "error: %s", r.err.message);
	cr_assert_str_eq(r.out, "ran\n");
	dt_result_free(&r);
}
