/* SPDX-License-Identifier: ISC */
/*
 * The configuration parser: every key's good and bad values, the line a
 * problem is reported at, the defaults, and what the options override.
 * config_load reads a real file (a temporary one) as rexecd does.
 */
#include <sys/resource.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon/config.h"

static char err[512];

/* Loads text as the file; 0 or -1, the message (less "FILE:") in err. */
static int
load_opts(const char *text, struct config *cf, struct config_opts *o)
{
	char path[] = "/tmp/daemon19-conf.XXXXXX";
	int fd = mkstemp(path), rc;
	size_t plen = strlen(path);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	o->file = path;
	err[0] = '\0';
	rc = config_load(cf, o, err, sizeof(err));
	unlink(path);
	/* "PATH:3: problem" -> "3: problem" */
	if (strncmp(err, path, plen) == 0 && err[plen] == ':')
		memmove(err, err + plen + 1, strlen(err + plen + 1) + 1);
	return rc;
}

static int
load(const char *text, struct config *cf)
{
	struct config_opts o = { .port = -1, .workers = -1 };

	return load_opts(text, cf, &o);
}

/* One "key = value" line after a comment and a blank line: line 3. */
static int
load_key(const char *key, const char *value, struct config *cf)
{
	char text[1024];

	snprintf(text, sizeof(text), "# a comment\n\n%s = %s\n", key, value);
	return load(text, cf);
}

static void
assert_bad(const char *key, const char *value, const char *want)
{
	struct config cf;

	cr_assert_eq(load_key(key, value, &cf), -1, "%s = %s taken", key,
	    value);
	cr_assert_str_eq(err, want, "%s = %s", key, value);
}

Test(daemon_config, defaults)
{
	struct config cf;

	cr_assert_eq(load("", &cf), 0, "%s", err);
	cr_assert_eq(cf.port, 5120);
	cr_assert_eq(cf.workers, 4);
	cr_assert_eq(cf.max_workers, 64);
	cr_assert_eq(cf.max_spare, 8);
	cr_assert_eq(cf.max_requests, 10000);
	cr_assert_eq(cf.request_timeout, 10);
	cr_assert_eq(cf.shutdown_timeout, 30);
	cr_assert_eq(cf.kill_grace, 2);
	cr_assert_eq(cf.max_timeout, 0);
	cr_assert_eq(cf.keepalive, 120);
	cr_assert_eq(cf.stall_timeout, 0);
	cr_assert_eq(cf.umask, 022);
	cr_assert_eq(cf.log_level, LOG_LEVEL_INFO);
	cr_assert(cf.allow_pty && !cf.allow_root);
	cr_assert(!cf.munge);
	cr_assert_eq(cf.startups_begin, 10);
	cr_assert_eq(cf.startups_rate, 30);
	cr_assert_eq(cf.startups_full, 100);
	cr_assert_eq(cf.per_source_startups, 10);
	cr_assert_eq(cf.penalty_authfail, 5);
	cr_assert_eq(cf.penalty_timeout, 10);
	cr_assert_eq(cf.penalty_min, 20);
	cr_assert_eq(cf.penalty_max, 600);
	cr_assert(cf.listen_default);
	cr_assert_eq(cf.nlisten, 2);
	cr_assert_str_eq(cf.listen[0], "127.0.0.1");
	cr_assert_str_eq(cf.listen[1], "::1");
	cr_assert_eq(cf.nallow, 0);
	cr_assert_eq(cf.nstatus_allow, 2);
	cr_assert(!cf.status_allow_set);
	cr_assert_eq(cf.nusers, 0);
	cr_assert(!cf.users_any);
	cr_assert_str_eq(cf.user, "");
	cr_assert_str_eq(cf.token_file, "");
	cr_assert_str_eq(cf.munge_socket, "");
	for (int i = 0; i < RL_COUNT; i++)
		cr_assert(!cf.rlim[i].set);
}

/* The integer keys: name, bounds, where the value lands. */
static const struct int_case {
	const char	*key;
	long long	 min, max;
	size_t		 off;
} ints[] = {
	{ "port", 0, 65535, offsetof(struct config, port) },
	{ "workers", 1, WORKERS_LIMIT, offsetof(struct config, workers) },
	{ "max_workers", 1, WORKERS_LIMIT,
	    offsetof(struct config, max_workers) },
	{ "max_spare", 1, WORKERS_LIMIT, offsetof(struct config, max_spare) },
	{ "request_timeout", 1, 86400,
	    offsetof(struct config, request_timeout) },
	{ "shutdown_timeout", 0, 86400,
	    offsetof(struct config, shutdown_timeout) },
	{ "kill_grace", 0, 3600, offsetof(struct config, kill_grace) },
	{ "max_timeout", 0, 366 * 86400,
	    offsetof(struct config, max_timeout) },
	{ "keepalive", 0, 86400, offsetof(struct config, keepalive) },
	{ "stall_timeout", 0, 366 * 86400,
	    offsetof(struct config, stall_timeout) },
	{ "per_source_max_startups", 0, WORKERS_LIMIT,
	    offsetof(struct config, per_source_startups) },
	{ "per_source_penalty_authfail", 0, 86400,
	    offsetof(struct config, penalty_authfail) },
	{ "per_source_penalty_timeout", 0, 86400,
	    offsetof(struct config, penalty_timeout) },
	{ "per_source_penalty_min", 0, 86400,
	    offsetof(struct config, penalty_min) },
	{ "per_source_penalty_max", 0, 86400,
	    offsetof(struct config, penalty_max) },
};

static int
int_at(const struct config *cf, size_t off)
{
	int v;

	memcpy(&v, (const char *)cf + off, sizeof(v));
	return v;
}

static void
assert_int_bound(const struct int_case *c, long long v)
{
	struct config cf;
	char value[32];

	snprintf(value, sizeof(value), "%lld", v);
	/* max_workers is raised to workers (4) when set lower. */
	if (strcmp(c->key, "max_workers") == 0 && v < 4)
		return;
	cr_assert_eq(load_key(c->key, value, &cf), 0, "%s", err);
	cr_assert_eq(int_at(&cf, c->off), (int)v, "%s = %s", c->key, value);
}

Test(daemon_config, integer_keys_take_their_bounds)
{
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		assert_int_bound(&ints[i], ints[i].min);
		assert_int_bound(&ints[i], ints[i].max);
	}
}

Test(daemon_config, integer_keys_refuse_outside_their_bounds)
{
	char value[32], want[256];

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		const struct int_case *c = &ints[i];

		snprintf(value, sizeof(value), "%lld", c->min - 1);
		snprintf(want, sizeof(want), "3: %s: \"%s\" is too small "
		    "(%lld to %lld)", c->key, value, c->min, c->max);
		assert_bad(c->key, value, want);
		snprintf(value, sizeof(value), "%lld", c->max + 1);
		snprintf(want, sizeof(want), "3: %s: \"%s\" is too large "
		    "(%lld to %lld)", c->key, value, c->min, c->max);
		assert_bad(c->key, value, want);
		snprintf(want, sizeof(want), "3: %s: \"12x\" is invalid "
		    "(%lld to %lld)", c->key, c->min, c->max);
		assert_bad(c->key, "12x", want);
	}
}

Test(daemon_config, max_requests_is_a_long_long)
{
	struct config cf;

	cr_assert_eq(load_key("max_requests", "9223372036854775807", &cf), 0,
	    "%s", err);
	cr_assert_eq(cf.max_requests, LLONG_MAX);
	cr_assert_eq(load_key("max_requests", "0", &cf), 0, "%s", err);
	cr_assert_eq(cf.max_requests, 0);
	assert_bad("max_requests", "-1", "3: max_requests: \"-1\" is too "
	    "small (0 to 9223372036854775807)");
}

Test(daemon_config, booleans)
{
	static const char *const yes[] = { "yes", "YES", "true", "1", "on" };
	static const char *const no[] = { "no", "False", "0", "off" };
	struct config cf;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		cr_assert_eq(load_key("allow_root", yes[i], &cf), 0, "%s", err);
		cr_assert(cf.allow_root, "%s", yes[i]);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		cr_assert_eq(load_key("allow_pty", no[i], &cf), 0, "%s", err);
		cr_assert(!cf.allow_pty, "%s", no[i]);
	}
	assert_bad("allow_root", "maybe",
	    "3: allow_root: \"maybe\" is not yes or no");
	assert_bad("allow_pty", "2", "3: allow_pty: \"2\" is not yes or no");
	cr_assert_eq(load_key("munge", "yes", &cf), 0, "%s", err);
	cr_assert(cf.munge);
	assert_bad("munge", "maybe", "3: munge: \"maybe\" is not yes or no");
}

Test(daemon_config, munge_socket_is_a_path)
{
	struct config cf;

	cr_assert_eq(load_key("munge_socket", "/run/munge/munge.socket.2",
	    &cf), 0, "%s", err);
	cr_assert_str_eq(cf.munge_socket, "/run/munge/munge.socket.2");
}

Test(daemon_config, umask_is_octal)
{
	struct config cf;

	cr_assert_eq(load_key("umask", "077", &cf), 0, "%s", err);
	cr_assert_eq(cf.umask, 077);
	cr_assert_eq(load_key("umask", "0", &cf), 0, "%s", err);
	cr_assert_eq(cf.umask, 0);
	cr_assert_eq(load_key("umask", "0777", &cf), 0, "%s", err);
	cr_assert_eq(cf.umask, 0777);
	assert_bad("umask", "8", "3: umask: \"8\" is not an octal mode "
	    "(000 to 777)");
	assert_bad("umask", "1000", "3: umask: \"1000\" is not an octal mode "
	    "(000 to 777)");
	assert_bad("umask", "-1", "3: umask: \"-1\" is not an octal mode "
	    "(000 to 777)");
}

Test(daemon_config, log_levels)
{
	static const char *const names[] = { "error", "warn", "info",
	    "debug" };
	static const enum log_level levels[] = { LOG_LEVEL_ERROR,
	    LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
	struct config cf;

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(load_key("log_level", names[i], &cf), 0, "%s",
		    err);
		cr_assert_eq(cf.log_level, levels[i], "%s", names[i]);
	}
	assert_bad("log_level", "loud", "3: log_level: \"loud\" is not one "
	    "of error, warn, info, debug");
}

Test(daemon_config, names_and_paths)
{
	char longname[USER_MAX + 8];
	struct config cf;

	memset(longname, 'u', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_bad("user", longname, "3: user: name too long");
	assert_bad("worker_user", longname, "3: worker_user: name too long");
	/* Parsed, then checked: the account must exist (no line). */
	cr_assert_eq(load_key("user", "daemon19-nosuch", &cf), -1);
	cr_assert_str_eq(err, "user: no such user \"daemon19-nosuch\"");
	cr_assert_eq(load_key("token_file", "/nonexistent/daemon19", &cf),
	    -1);
	cr_assert_eq(strncmp(err, "token_file /nonexistent/daemon19: ", 34),
	    0, "%s", err);
}

Test(daemon_config, subsystems)
{
	struct config cf;

	cr_assert_eq(load("subsystem = a  tr a-z A-Z\nsubsystem = b x\n"
	    "subsystem = a echo 'z y'\n", &cf), 0, "%s", err);
	cr_assert_str_eq(config_subsystem(&cf, "a"), "echo 'z y'");
	cr_assert_str_eq(config_subsystem(&cf, "b"), "x");
	cr_assert_null(config_subsystem(&cf, "c"));
	assert_bad("subsystem", "lonely", "3: subsystem: not NAME COMMAND");
	assert_bad("subsystem", "a/b cmd", "3: subsystem: not a name");
}

/* max + 1 lines "head<i>tail": the last one is refused. */
static void
one_too_many(const char *head, const char *tail, int max, const char *want)
{
	char text[4096] = "";
	struct config cf;

	for (int i = 0; i <= max; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "%s%d%s\n", head, i, tail);
	cr_assert_eq(load(text, &cf), -1);
	cr_assert_str_eq(err, want);
}

Test(daemon_config, listen_lists_accumulate)
{
	struct config cf;

	cr_assert_eq(load("listen = 127.0.0.2, 127.0.0.3 ::1\n"
	    "listen = 127.0.0.4\n", &cf), 0, "%s", err);
	cr_assert(!cf.listen_default);
	cr_assert_eq(cf.nlisten, 4);
	cr_assert_str_eq(cf.listen[1], "127.0.0.3");
	cr_assert_str_eq(cf.listen[3], "127.0.0.4");
	one_too_many("listen = 127.0.1.", "", LISTEN_MAX,
	    "17: more than 16 listen addresses");
}

Test(daemon_config, allow_lists)
{
	struct config cf;

	cr_assert_eq(load("allow = 10.0.0.0/8, 192.0.2.1 ::1\n"
	    "allow = fe80::/10\n", &cf), 0, "%s", err);
	cr_assert_eq(cf.nallow, 4);
	assert_bad("allow", "300.1.1.1", "3: allow: \"300.1.1.1\" is not an "
	    "address or CIDR network");
	assert_bad("allow", "10.0.0.0/33", "3: allow: \"10.0.0.0/33\" is not "
	    "an address or CIDR network");
	one_too_many("allow = 10.0.", ".0/24", ALLOW_MAX,
	    "65: more than 64 allow entries");
}

Test(daemon_config, status_allow_replaces_the_default_then_adds)
{
	struct config cf;

	cr_assert_eq(load("status_allow = 192.0.2.0/24\n"
	    "status_allow = 198.51.100.7\n", &cf), 0, "%s", err);
	cr_assert(cf.status_allow_set);
	cr_assert_eq(cf.nstatus_allow, 2);
	cr_assert_eq(load("status_allow =\n", &cf), 0, "%s", err);
	cr_assert_eq(cf.nstatus_allow, 0, "an empty line allows nobody");
	assert_bad("status_allow", "nope", "3: status_allow: \"nope\" is not "
	    "an address or CIDR network");
}

Test(daemon_config, users_each_line_replaces)
{
	struct config cf;
	char many[2 * USERS_MAX + 8] = "", longname[USER_MAX + 8];

	cr_assert_eq(load("users = a, b\nusers = c\n", &cf), 0, "%s", err);
	cr_assert_eq(cf.nusers, 1);
	cr_assert_str_eq(cf.users[0], "c");
	cr_assert_eq(load("users = *\n", &cf), 0, "%s", err);
	cr_assert(cf.users_any && cf.nusers == 0);
	cr_assert_eq(load("users = *\nusers = d\n", &cf), 0, "%s", err);
	cr_assert(!cf.users_any && cf.nusers == 1);
	for (int i = 0; i <= USERS_MAX; i++)
		strcat(many, "a ");
	assert_bad("users", many, "3: users: more than 64 accounts");
	memset(longname, 'u', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_bad("users", longname, "3: users: name too long");
}

Test(daemon_config, max_startups)
{
	struct config cf;

	cr_assert_eq(load_key("max_startups", "5", &cf), 0, "%s", err);
	cr_assert(cf.startups_begin == 5 && cf.startups_rate == 100 &&
	    cf.startups_full == 5);
	cr_assert_eq(load_key("max_startups", "5:30:50", &cf), 0, "%s", err);
	cr_assert(cf.startups_begin == 5 && cf.startups_rate == 30 &&
	    cf.startups_full == 50);
	assert_bad("max_startups", "x", "3: max_startups: \"x\" is not N or "
	    "start:rate:full");
	assert_bad("max_startups", "5:30", "3: max_startups: \"5:30\" is not "
	    "N or start:rate:full");
	assert_bad("max_startups", "0", "3: max_startups: \"0\" needs 1 <= "
	    "start <= full and rate 1-100");
	assert_bad("max_startups", "5:0:10", "3: max_startups: \"5:0:10\" "
	    "needs 1 <= start <= full and rate 1-100");
	assert_bad("max_startups", "5:30:4", "3: max_startups: \"5:30:4\" "
	    "needs 1 <= start <= full and rate 1-100");
}

Test(daemon_config, rlimits)
{
	static const char *const keys[RL_COUNT] = { "rlimit_nofile",
	    "rlimit_nproc", "rlimit_as", "rlimit_cpu" };
	struct config cf;
	char want[128];

	for (int i = 0; i < RL_COUNT; i++) {
		cr_assert_eq(load_key(keys[i], "unlimited", &cf), 0, "%s",
		    err);
		cr_assert(cf.rlim[i].set && cf.rlim[i].value == RLIM_INFINITY);
		cr_assert_eq(load_key(keys[i], "1024", &cf), 0, "%s", err);
		cr_assert(cf.rlim[i].set && cf.rlim[i].value == 1024);
		for (int j = 0; j < RL_COUNT; j++)
			cr_assert_eq(cf.rlim[j].set, j == i);
		snprintf(want, sizeof(want), "3: %s: \"-1\" is too small "
		    "(0 to 9223372036854775807)", keys[i]);
		assert_bad(keys[i], "-1", want);
	}
}

Test(daemon_config, file_syntax)
{
	struct config cf;

	cr_assert_eq(load("[rexecd]\nport = 99 # a comment\nworkers = 3 ; x\n",
	    &cf), 0, "%s", err);
	cr_assert_eq(cf.port, 99);
	cr_assert_eq(cf.workers, 3);
	cr_assert_eq(load("port = 1\n\nnope = 1\n", &cf), -1);
	cr_assert_str_eq(err, "3: unknown key \"nope\"");
	cr_assert_eq(load("port = 1\n[other]\nport = 2\n", &cf), -1);
	cr_assert_str_eq(err, "3: unknown section [other]");
	cr_assert_eq(load("port = 1\ngarbage\n", &cf), -1);
	cr_assert_str_eq(err, "2: syntax error, expected \"key = value\"");
	/* The first bad line is the one reported. */
	cr_assert_eq(load("port = x\nworkers = y\n", &cf), -1);
	cr_assert_str_eq(err, "1: port: \"x\" is invalid (0 to 65535)");
}

Test(daemon_config, long_line)
{
	struct config cf;
	char text[1024];

	snprintf(text, sizeof(text), "port = 1\nlisten = %0300d\n", 1);
	cr_assert_eq(load(text, &cf), -1);
	cr_assert_eq(strncmp(err, "2: line longer than ", 20), 0, "%s", err);
}

Test(daemon_config, options_win_over_the_file)
{
	struct config_opts o = { .port = 7, .workers = 9, .nlisten = 1,
	    .listen = { "127.0.0.9" }, .debug = true };
	struct config cf;

	cr_assert_eq(load_opts("port = 99\nworkers = 2\nlisten = ::1\n"
	    "max_workers = 3\n", &cf, &o), 0, "%s", err);
	cr_assert_eq(cf.port, 7);
	cr_assert_eq(cf.workers, 9);
	cr_assert_eq(cf.max_workers, 9, "raised to workers");
	cr_assert_eq(cf.nlisten, 1);
	cr_assert_str_eq(cf.listen[0], "127.0.0.9");
	cr_assert_eq(cf.log_level, LOG_LEVEL_DEBUG);
}

Test(daemon_config, a_missing_file)
{
	struct config_opts o = { .port = -1, .workers = -1,
	    .file = "/nonexistent/daemon19.conf" };
	struct config cf;

	cr_assert_eq(config_load(&cf, &o, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "/nonexistent/daemon19.conf: No such file or "
	    "directory");
}
