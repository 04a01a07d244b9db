/* SPDX-License-Identifier: ISC */
/* Options, the configuration file, -t, and the refusal to be exposed. */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexecd_proc.h"

static char dir[] = "/tmp/rexecd-conf.XXXXXX";
static char conf[PATH_MAX];

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/rexecd.conf", dir);
}

static void
teardown(void)
{
	char path[PATH_MAX + 16];

	unlink(conf);
	snprintf(path, sizeof(path), "%s/token", dir);
	unlink(path);
	rmdir(dir);
}

TestSuite(daemon_config, .init = setup, .fini = teardown, .timeout = 30);

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	chmod(path, mode);
}

static int
check(const char *text, char **out)
{
	const char *args[] = { "-t", "-f", conf, NULL };

	write_file(conf, text, 0644);
	return rexecd_once(args, out);
}

Test(daemon_config, check_accepts_a_good_file)
{
	char *out;
	int st = check("# comment\nport = 5999  # inline\nworkers = 3\n"
	    "listen = 127.0.0.1, ::1\nlisten = 127.0.0.2\n"
	    "max_startups = 10:30:100\nlog_level = debug\n"
	    "rlimit_nofile = 1024\nallow = 10.0.0.0/8 ::1/128\n", &out);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(daemon_config, check_reports_the_line_of_an_unknown_key)
{
	char *out, want[PATH_MAX + 8];
	int st = check("port = 5120\n\nbogus = 1\n", &out);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	snprintf(want, sizeof(want), "%s:3:", conf);
	cr_assert_not_null(strstr(out, want), "%s", out);
	cr_assert_not_null(strstr(out, "bogus"), "%s", out);
	free(out);
}

Test(daemon_config, check_reports_bad_values)
{
	static const char *const bad[] = {
		"workers = 0\n", "port = 70000\n", "allow = 10.0.0.0/33\n",
		"log_level = loud\n", "allow_root = maybe\n",
		"max_startups = 5:200:1\n", "request_timeout = soon\n",
		"just a line\n", "[other]\nport = 1\n", "umask = 0800\n",
		"umask = -022\n", "umask = u=rwx\n", "keepalive = -1\n",
		"stall_timeout = never\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out;
		int st = check(bad[i], &out);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", bad[i]);
		cr_assert_not_null(strstr(out, "rexecd.conf:"), "%s: %s",
		    bad[i], out);
		free(out);
	}
}

/* inih reads a line in pieces; the error must still name the line. */
Test(daemon_config, check_reports_a_long_line_by_its_number)
{
	char text[600], *out, want[PATH_MAX + 32];
	int st;

	snprintf(text, sizeof(text), "port = 5120\n# %0500d\nworkers = 2\n",
	    0);
	st = check(text, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", out);
	snprintf(want, sizeof(want), "%s:2: line longer than", conf);
	cr_assert_not_null(strstr(out, want), "%s", out);
	free(out);
}

Test(daemon_config, missing_file_given_with_f_is_an_error)
{
	const char *args[] = { "-t", "-f", "/nonexistent/rexecd.conf", NULL };
	char *out;
	int st = rexecd_once(args, &out);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	cr_assert_not_null(strstr(out, "No such file"), "%s", out);
	free(out);
}

Test(daemon_config, refuses_non_loopback_without_protection)
{
	const char *args[] = { "-f", conf, "-p", "0", "-l", "0.0.0.0", NULL };
	char *out;
	int st;

	write_file(conf, "", 0644);
	st = rexecd_once(args, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1, "%s", out);
	cr_assert_not_null(strstr(out, "refusing to listen on 0.0.0.0"), "%s",
	    out);
	cr_assert_null(strstr(out, "listening on"), "%s", out);
	free(out);
}

Test(daemon_config, non_loopback_with_allow_list_starts)
{
	const char *extra[] = { "-l", "0.0.0.0", NULL };
	struct rexecd_proc d;
	struct dt_result r;

	rexecd_start(&d, "allow = 127.0.0.0/8\n", extra);
	dt_run(&d, "{\"cmd\": \"echo ok\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_config, token_file_must_be_private)
{
	const char *args[] = { "-t", "-f", conf, "-T", NULL, NULL };
	char token[PATH_MAX + 16], *out;
	int st;

	snprintf(token, sizeof(token), "%s/token", dir);
	args[4] = token;
	write_file(conf, "", 0644);
	write_file(token, "secret\n", 0644);
	st = rexecd_once(args, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	cr_assert_not_null(strstr(out, "chmod 600"), "%s", out);
	free(out);
	chmod(token, 0600);
	st = rexecd_once(args, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	free(out);
}

Test(daemon_config, version_and_help)
{
	const char *v[] = { "-V", NULL }, *h[] = { "--help", NULL };
	const char *bad[] = { "--bogus", NULL };
	char *out;
	int st;

	st = rexecd_once(v, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_str_eq(out, "rexecd " REXEC_VERSION "\n");
	free(out);
	st = rexecd_once(h, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cr_assert_not_null(strstr(out, "usage: rexecd"));
	free(out);
	st = rexecd_once(bad, &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	free(out);
}

Test(daemon_config, port_0_on_two_addresses_prints_each)
{
	struct rexecd_proc d;
	const char *extra[] = { "-l", "127.0.0.2", NULL };
	char *log, *p, *q;
	int port2 = -1;

	rexecd_start(&d, NULL, extra);
	log = rexecd_log(&d);
	p = strstr(log, "listening on 127.0.0.1 port ");
	q = strstr(log, "listening on 127.0.0.2 port ");
	cr_assert(p != NULL && q != NULL, "%s", log);
	port2 = atoi(q + strlen("listening on 127.0.0.2 port "));
	cr_assert_gt(port2, 0);
	cr_assert_eq(atoi(p + strlen("listening on 127.0.0.1 port ")), d.port);
	free(log);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_config, drops_privileges_and_sets_rlimits)
{
	struct rexecd_proc d;
	/* Not nobody: where the workers' own account is missing, they
	 * are nobody, which runs no command. */
	struct passwd *pw = getpwnam("daemon");
	struct dt_result r;
	char want[64];

	if (geteuid() != 0 || pw == NULL)
		cr_skip_test("needs root and a daemon account");
	rexecd_start(&d, "user = daemon\nrlimit_nofile = 64\n", NULL);
	dt_run(&d, "{\"cmd\": \"id -u; id -g; ulimit -n; echo $USER\", "
	    "\"cwd\": \"/\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0, "%s", r.errout);
	snprintf(want, sizeof(want), "%u\n%u\n64\ndaemon\n",
	    (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	cr_assert_str_eq(r.out, want);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_config, root_user_needs_allow_root)
{
	char *out;
	int st;

	if (geteuid() != 0)
		cr_skip_test("needs root");
	st = check("user = root\n", &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	cr_assert_not_null(strstr(out, "allow_root"), "%s", out);
	free(out);
	st = check("user = root\nallow_root = yes\n", &out);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
	free(out);
}

static int
connect6(int port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons((unsigned short)port),
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || connect(fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

Test(daemon_config, ipv6_listener_and_allow_list)
{
	const char *extra[] = { "-l", "::1", NULL };
	struct rexecd_proc d;
	struct dt_result r;
	char *log, *p;
	int fd, port6;

	rexecd_start(&d, "allow = ::1/128\n", extra);
	log = rexecd_log(&d);
	p = strstr(log, "listening on ::1 port ");
	if (p == NULL) {
		free(log);
		rexecd_stop(&d);
		cr_skip_test("no IPv6 loopback here");
	}
	port6 = atoi(p + strlen("listening on ::1 port "));
	free(log);
	/* Over IPv6 the allow-list lets us in... */
	cr_assert_neq(fd = connect6(port6), -1);
	cr_assert_eq(dt_send_exec(fd, "{\"cmd\": \"echo six\"}"), 0);
	memset(&r, 0, sizeof(r));
	dt_session(fd, NULL, 0, true, 20000, &r);
	close(fd);
	cr_assert(r.got_exit && r.st.code == 0);
	cr_assert_str_eq(r.out, "six\n");
	dt_result_free(&r);
	cr_assert_eq(rexecd_wait_log(&d, "[::1]:", 5000), 0);
	/* ...over IPv4 it does not. */
	dt_run(&d, "{\"cmd\": \"echo four\"}", NULL, 0, &r);
	cr_assert(r.got_error && r.err.code == ERR_AUTH);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

/* The command's umask, whatever the daemon's (issue 18: 000 gave
 * world-writable files). */
static void
expect_umask(const char *conf_text, const char *want)
{
	struct rexecd_proc d;
	struct dt_result r;

	rexecd_start(&d, conf_text, NULL);
	dt_run(&d, "{\"cmd\": \"umask\"}", NULL, 0, &r);
	cr_assert(r.got_exit && r.st.code == 0, "%s", r.errout);
	cr_assert_str_eq(r.out, want, "%s", conf_text);
	dt_result_free(&r);
	cr_assert_eq(rexecd_stop(&d), 0);
}

Test(daemon_config, commands_get_umask_022_or_the_configured_one)
{
	mode_t old = umask(0);

	expect_umask(NULL, "0022\n");
	expect_umask("umask = 077\n", "0077\n");
	expect_umask("umask = 0\n", "0000\n");
	umask(old);
}
