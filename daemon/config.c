/* SPDX-License-Identifier: ISC */
#include <sys/resource.h>
#include <sys/types.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "seterr.h"

struct parse_ctx {
	struct config	*cf;
	FILE		*fp;
	int		 line;		/* of the line being parsed */
	int		 err_line;	/* first bad line, 0: none */
	int		 long_line;	/* first line longer than inih takes */
	int		 line_max;	/* what inih takes, newline excluded */
	char		 err[256];
};

/* How a key's value is read, and where it goes. */
enum key_kind {
	K_INT,		/* an int at off, min to max */
	K_LLONG,	/* a long long at off, min to max */
	K_BOOL,		/* a bool at off */
	K_NAME,		/* a string at off of max bytes: an account name */
	K_PATH,		/* the same: a path */
	K_MODE,		/* a mode_t at off, octal, up to max */
	K_LEVEL,	/* an enum log_level at off */
	K_RLIMIT,	/* a struct config_rlim at off: min to max, unlimited */
	K_STARTUPS,	/* max_startups: start:rate:full */
	K_LIST,		/* words, each given to add (after begin, if any) */
	K_LINE		/* the whole value given to add */
};

typedef int	(*word_fn)(struct config *, const char *, char *, size_t);

struct key {
	const char	*name;
	enum key_kind	 kind;
	size_t		 off;
	long long	 min, max;
	word_fn		 add;
	void		(*begin)(struct config *);
	const char	*dflt;		/* read as the file's value would be */
};

static void	config_defaults(struct config *cf);
static int	parse_file(struct config *cf, const char *path, bool must_exist,
	    char *err, size_t errlen);
static void	apply_opts(struct config *cf, const struct config_opts *o);
static int	validate(struct config *cf, char *err, size_t errlen);
static int	read_token(struct config *cf, char *err, size_t errlen);
static int	set_key(struct config *, const struct key *, const char *,
		    char *, size_t);
static int	set_number(struct config *, const struct key *, const char *,
		    char *, size_t);
static int	parse_number(const struct key *, const char *, long long *,
		    char *, size_t);
static int	parse_bool(const char *name, const char *v, bool *out,
		    char *err, size_t errlen);
static int	set_mode(mode_t *, const struct key *, const char *, char *,
		    size_t);
static int	set_rlimit(struct config_rlim *, const struct key *,
		    const char *, char *, size_t);
static int	set_startups(struct config *, const char *, char *, size_t);
static int	each_word(const char *value, word_fn, struct config *cf,
		    char *err, size_t errlen);
static int	add_listen(struct config *, const char *, char *, size_t);
static int	add_cidr(struct cidr *, size_t *n, const char *key,
		    const char *w, char *err, size_t errlen);
static int	add_allow(struct config *, const char *, char *, size_t);
static int	add_status_allow(struct config *, const char *, char *,
		    size_t);
static void	status_allow_begin(struct config *);
static int	add_user(struct config *, const char *, char *, size_t);
static void	users_begin(struct config *);
static int	add_subsystem(struct config *, const char *, char *, size_t);
static void	default_sftp(struct config *);
static void	default_copy(struct config *);
static int	resolve_worker(struct config *, uid_t user_uid, char *err,
		    size_t errlen);
static void	strip_comment(char *v);
static int	handler(void *user, const char *section, const char *name,
		    const char *value);
static char	*reader(char *str, int num, void *stream);

#define AT(f)		offsetof(struct config, f)
#define SIZE(f)		(long long)sizeof(((struct config *)NULL)->f)
#define INT(f, lo, hi, d) K_INT, AT(f), lo, hi, NULL, NULL, d
#define LLONG(f, lo, hi, d) K_LLONG, AT(f), lo, hi, NULL, NULL, d
#define BOOL(f, d)	K_BOOL, AT(f), 0, 1, NULL, NULL, d
#define NAME(f)		K_NAME, AT(f), 0, SIZE(f), NULL, NULL, NULL
#define PATH(f)		K_PATH, AT(f), 0, SIZE(f), NULL, NULL, NULL
#define MODE(f, d)	K_MODE, AT(f), 0, 0777, NULL, NULL, d
#define LEVEL(f, d)	K_LEVEL, AT(f), 0, 0, NULL, NULL, d
#define RLIMIT(i)	K_RLIMIT, AT(rlim[i]), 0, LLONG_MAX, NULL, NULL, NULL
#define STARTUPS(d)	K_STARTUPS, 0, 0, 0, NULL, NULL, d
#define LIST(add, begin) K_LIST, 0, 0, 0, add, begin, NULL
#define LINE(add)	K_LINE, 0, 0, 0, add, NULL, NULL

/* Every key: its kind, bounds, destination and default, as
 * man/rexecd.conf.5 has them. */
static const struct key keys[] = {
	{ "listen",		LIST(add_listen, NULL) },
	{ "port",		INT(port, 0, 65535, "5120") },
	{ "workers",		INT(workers, 1, WORKERS_LIMIT, "4") },
	{ "max_workers",	INT(max_workers, 1, WORKERS_LIMIT, "64") },
	{ "max_spare",		INT(max_spare, 1, WORKERS_LIMIT, "8") },
	{ "max_requests",	LLONG(max_requests, 0, LLONG_MAX, "10000") },
	{ "request_timeout",	INT(request_timeout, 1, 86400, "10") },
	{ "shutdown_timeout",	INT(shutdown_timeout, 0, 86400, "30") },
	{ "kill_grace",		INT(kill_grace, 0, 3600, "2") },
	{ "max_timeout",	INT(max_timeout, 0, 366 * 86400, "0") },
	{ "keepalive",		INT(keepalive, 0, 86400, "120") },
	{ "stall_timeout",	INT(stall_timeout, 0, 366 * 86400, "0") },
	{ "umask",		MODE(umask, "022") },
	{ "token_file",		PATH(token_file) },
	{ "allow",		LIST(add_allow, NULL) },
	{ "status_allow",	LIST(add_status_allow, status_allow_begin) },
	{ "user",		NAME(user) },
	{ "worker_user",	NAME(worker_user) },
	{ "users",		LIST(add_user, users_begin) },
	{ "allow_root",		BOOL(allow_root, "no") },
	{ "allow_pty",		BOOL(allow_pty, "yes") },
	{ "munge",		BOOL(munge, "no") },
	{ "munge_socket",	PATH(munge_socket) },
	{ "allow_forward",	BOOL(allow_forward, "yes") },
	{ "connect_timeout",	INT(connect_timeout, 1, 3600, "10") },
	{ "log_level",		LEVEL(log_level, "info") },
	{ "max_startups",	STARTUPS("10:30:100") },
	/* One address holds no more workers than max_startups' start. */
	{ "per_source_max_startups", INT(per_source_startups, 0,
	    WORKERS_LIMIT, "10") },
	{ "per_source_penalty_authfail", INT(penalty_authfail, 0, 86400,
	    "5") },
	{ "per_source_penalty_timeout", INT(penalty_timeout, 0, 86400,
	    "10") },
	{ "per_source_penalty_min", INT(penalty_min, 0, 86400, "20") },
	{ "per_source_penalty_max", INT(penalty_max, 0, 86400, "600") },
	{ "rlimit_nofile",	RLIMIT(RL_NOFILE) },
	{ "rlimit_nproc",	RLIMIT(RL_NPROC) },
	{ "rlimit_as",		RLIMIT(RL_AS) },
	{ "rlimit_cpu",		RLIMIT(RL_CPU) },
	{ "subsystem",		LINE(add_subsystem) },
};

int
config_load(struct config *cf, const struct config_opts *o, char *err,
    size_t errlen)
{
	config_defaults(cf);
	if (parse_file(cf, o->file != NULL ? o->file : CONFIG_FILE,
	    o->file != NULL, err, errlen) == -1)
		return -1;
	apply_opts(cf, o);
	return validate(cf, err, errlen);
}

static void
config_defaults(struct config *cf)
{
	char err[128];

	memset(cf, 0, sizeof(*cf));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].dflt != NULL && set_key(cf, &keys[i],
		    keys[i].dflt, err, sizeof(err)) == -1)
			fatalx("default %s", err);
	/* Command lines can hold secrets: only this host sees them. */
	(void)add_status_allow(cf, "127.0.0.1", NULL, 0);
	(void)add_status_allow(cf, "::1", NULL, 0);
	default_sftp(cf);
	default_copy(cf);
}

#ifndef REXEC_COPY_PROG
#define REXEC_COPY_PROG	"/usr/local/lib/rexec/rexec-copy"
#endif

/* rexec --copy and --rcopy: the helper installed beside rexecd. */
static void
default_copy(struct config *cf)
{
	(void)add_subsystem(cf, "rexec-copy-in " REXEC_COPY_PROG " in",
	    NULL, 0);
	(void)add_subsystem(cf, "rexec-copy-out " REXEC_COPY_PROG " out",
	    NULL, 0);
}

/* sftp as Debian's, Fedora's or a source build of OpenSSH installs it. */
static void
default_sftp(struct config *cf)
{
	static const char *const paths[] = {
		"/usr/lib/openssh/sftp-server",
		"/usr/libexec/openssh/sftp-server",
		"/usr/libexec/sftp-server",
	};
	char line[PATH_MAX + 8];

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0) {
			snprintf(line, sizeof(line), "sftp %s", paths[i]);
			(void)add_subsystem(cf, line, NULL, 0);
			return;
		}
}

static int
parse_file(struct config *cf, const char *path, bool must_exist,
    char *err, size_t errlen)
{
	static char inline_comments[] = ";";
	struct parse_ctx ctx = { .cf = cf };
	int rc;

	if ((ctx.fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return 0;
		return seterr(err, errlen, "%s: %s", path, strerror(errno));
	}
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	ini_inline_comment_prefixes = inline_comments;
	rc = ini_parse_stream(reader, &ctx, handler, &ctx);
	fclose(ctx.fp);
	if (rc == 0 && ctx.long_line > 0)
		return seterr(err, errlen, "%s:%d: line longer than %d bytes",
		    path, ctx.long_line, ctx.line_max);
	if (rc == 0)
		return 0;
	if (rc > 0 && rc == ctx.err_line)
		return seterr(err, errlen, "%s:%d: %s", path, rc, ctx.err);
	if (rc > 0)
		return seterr(err, errlen, "%s:%d: syntax error, expected "
		    "\"key = value\"", path, rc);
	return seterr(err, errlen, "%s: cannot parse", path);
}


static void
apply_opts(struct config *cf, const struct config_opts *o)
{
	if (o->nlisten > 0) {
		cf->nlisten = 0;
		for (size_t i = 0; i < o->nlisten; i++)
			strlcpy(cf->listen[cf->nlisten++], o->listen[i],
			    LISTEN_ADDR_MAX);
	}
	if (cf->nlisten == 0) {
		strlcpy(cf->listen[0], "127.0.0.1", LISTEN_ADDR_MAX);
		strlcpy(cf->listen[1], "::1", LISTEN_ADDR_MAX);
		cf->nlisten = 2;
		cf->listen_default = true;
	}
	if (o->port != -1)
		cf->port = o->port;
	if (o->workers != -1)
		cf->workers = o->workers;
	if (o->token_file != NULL)
		strlcpy(cf->token_file, o->token_file, sizeof(cf->token_file));
	if (o->debug)
		cf->log_level = LOG_LEVEL_DEBUG;
	if (o->default_user != NULL && cf->user[0] == '\0')
		strlcpy(cf->user, o->default_user, sizeof(cf->user));
}

static int
validate(struct config *cf, char *err, size_t errlen)
{
	struct passwd *pw;
	uid_t user_uid = geteuid();

	if (cf->max_workers < cf->workers)
		cf->max_workers = cf->workers;
	if (cf->token_file[0] != '\0' && read_token(cf, err, errlen) == -1)
		return -1;
	if (cf->user[0] != '\0') {
		if ((pw = getpwnam(cf->user)) == NULL)
			return seterr(err, errlen, "user: no such user \"%s\"",
			    cf->user);
		if (pw->pw_uid == 0 && !cf->allow_root)
			return seterr(err, errlen, "user \"%s\" is root: set "
			    "allow_root = yes to run commands as root",
			    cf->user);
		if (pw->pw_gid == 0 && !cf->allow_root)
			return seterr(err, errlen, "user \"%s\" has group 0: "
			    "set allow_root = yes to run commands so",
			    cf->user);
		if (geteuid() != 0 && pw->pw_uid != geteuid())
			return seterr(err, errlen, "user \"%s\" needs rexecd "
			    "to be started as root", cf->user);
		user_uid = pw->pw_uid;
	}
	return resolve_worker(cf, user_uid, err, errlen);
}

/*
 * The workers' account, when rexecd starts as root: one of their own,
 * neither root nor the commands' default account (a command could then
 * signal the workers).
 */
static int
resolve_worker(struct config *cf, uid_t user_uid, char *err, size_t errlen)
{
	/* The default, named or not, may be missing: nobody then. */
	bool dflt = cf->worker_user[0] == '\0' ||
	    strcmp(cf->worker_user, WORKER_USER) == 0;
	struct passwd *pw;

	cf->worker_drop = geteuid() == 0;
	if (!cf->worker_drop)
		return 0;
	if (dflt)
		strlcpy(cf->worker_user, WORKER_USER, sizeof(cf->worker_user));
	if ((pw = getpwnam(cf->worker_user)) == NULL && dflt) {
		cf->worker_fallback = true;
		strlcpy(cf->worker_user, WORKER_USER_FALLBACK,
		    sizeof(cf->worker_user));
		pw = getpwnam(cf->worker_user);
	}
	if (pw == NULL)
		return seterr(err, errlen, "worker_user: no such user \"%s\"",
		    cf->worker_user);
	if (pw->pw_uid == 0)
		return seterr(err, errlen, "worker_user \"%s\" is root: the "
		    "workers must run unprivileged", cf->worker_user);
	if (pw->pw_uid == user_uid)
		return seterr(err, errlen, "worker_user \"%s\" is the "
		    "commands' account (user): give the workers their own",
		    cf->worker_user);
	cf->worker_uid = pw->pw_uid;
	cf->worker_gid = pw->pw_gid;
	return 0;
}

static int
read_token(struct config *cf, char *err, size_t errlen)
{
	char why[256];
	ssize_t n = token_file_read(cf->token_file, cf->token, why,
	    sizeof(why));

	if (n == -1)
		return seterr(err, errlen, "token_file %s: %s", cf->token_file,
		    why);
	cf->token_len = (size_t)n;
	return 0;
}

/* A value for key k: what its kind takes, stored where it says. */
static int
set_key(struct config *cf, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	void *dst = (char *)cf + k->off;

	switch (k->kind) {
	case K_INT:
	case K_LLONG:
		return set_number(cf, k, v, err, errlen);
	case K_BOOL:
		return parse_bool(k->name, v, dst, err, errlen);
	case K_NAME:
	case K_PATH:
		if (strlcpy(dst, v, (size_t)k->max) >= (size_t)k->max)
			return seterr(err, errlen, "%s: %s too long", k->name,
			    k->kind == K_NAME ? "name" : "path");
		return 0;
	case K_MODE:
		return set_mode(dst, k, v, err, errlen);
	case K_LEVEL:
		if (log_level_from_name(v, dst) == -1)
			return seterr(err, errlen, "%s: \"%s\" is not one of "
			    "error, warn, info, debug", k->name, v);
		return 0;
	case K_RLIMIT:
		return set_rlimit(dst, k, v, err, errlen);
	case K_STARTUPS:
		return set_startups(cf, v, err, errlen);
	case K_LIST:
		if (k->begin != NULL)
			k->begin(cf);
		return each_word(v, k->add, cf, err, errlen);
	case K_LINE:
		return k->add(cf, v, err, errlen);
	}
	return seterr(err, errlen, "%s: unknown", k->name);
}

static int
set_number(struct config *cf, const struct key *k, const char *v,
    char *err, size_t errlen)
{
	void *dst = (char *)cf + k->off;
	long long n;

	if (parse_number(k, v, &n, err, errlen) == -1)
		return -1;
	if (k->kind == K_INT)
		*(int *)dst = (int)n;
	else
		*(long long *)dst = n;
	return 0;
}

static int
parse_number(const struct key *k, const char *v, long long *out,
    char *err, size_t errlen)
{
	const char *errstr;

	*out = strtonum(v, k->min, k->max, &errstr);
	if (errstr != NULL)
		return seterr(err, errlen, "%s: \"%s\" is %s (%lld to %lld)",
		    k->name, v, errstr, k->min, k->max);
	return 0;
}

static int
parse_bool(const char *name, const char *v, bool *out, char *err,
    size_t errlen)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0)
		*out = false;
	else
		return seterr(err, errlen, "%s: \"%s\" is not yes or no", name,
		    v);
	return 0;
}

/* Octal, as umask(1) takes it: a leading 0 or not. */
static int
set_mode(mode_t *dst, const struct key *k, const char *v, char *err,
    size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 8);
	if (v[0] < '0' || v[0] > '7' || *end != '\0' || errno != 0 ||
	    n > k->max)
		return seterr(err, errlen, "%s: \"%s\" is not an octal mode "
		    "(000 to %03llo)", k->name, v, k->max);
	*dst = (mode_t)n;
	return 0;
}

static int
set_rlimit(struct config_rlim *dst, const struct key *k, const char *v,
    char *err, size_t errlen)
{
	long long n = (long long)RLIM_INFINITY;

	if (strcmp(v, "unlimited") != 0 &&
	    parse_number(k, v, &n, err, errlen) == -1)
		return -1;
	dst->set = true;
	dst->value = strcmp(v, "unlimited") == 0 ? RLIM_INFINITY : (rlim_t)n;
	return 0;
}

static int
set_startups(struct config *cf, const char *value, char *err, size_t errlen)
{
	int a, r, f, n = -1;

	if (sscanf(value, "%d:%d:%d%n", &a, &r, &f, &n) != 3 ||
	    (size_t)n != strlen(value)) {
		r = 100;
		if (sscanf(value, "%d%n", &a, &n) != 1 ||
		    (size_t)n != strlen(value))
			return seterr(err, errlen, "max_startups: \"%s\" is "
			    "not N or start:rate:full", value);
		f = a;
	}
	if (a < 1 || r < 1 || r > 100 || f < a)
		return seterr(err, errlen, "max_startups: \"%s\" needs "
		    "1 <= start <= full and rate 1-100", value);
	cf->startups_begin = a;
	cf->startups_rate = r;
	cf->startups_full = f;
	return 0;
}

/* Calls fn on each word of a comma- or space-separated list. */
static int
each_word(const char *value, word_fn fn, struct config *cf, char *err,
    size_t errlen)
{
	char buf[1024], *p, *w;

	if (strlcpy(buf, value, sizeof(buf)) >= sizeof(buf))
		return seterr(err, errlen, "value too long");
	for (p = buf; (w = strsep(&p, ", \t")) != NULL;)
		if (*w != '\0' && fn(cf, w, err, errlen) == -1)
			return -1;
	return 0;
}

static int
add_listen(struct config *cf, const char *w, char *err, size_t errlen)
{
	if (cf->nlisten == LISTEN_MAX)
		return seterr(err, errlen, "more than %d listen addresses",
		    LISTEN_MAX);
	if (strlcpy(cf->listen[cf->nlisten], w, LISTEN_ADDR_MAX) >=
	    LISTEN_ADDR_MAX)
		return seterr(err, errlen, "listen address too long");
	cf->nlisten++;
	return 0;
}

/* One address or network of an allow list named key. */
static int
add_cidr(struct cidr *list, size_t *n, const char *key, const char *w,
    char *err, size_t errlen)
{
	if (*n == ALLOW_MAX)
		return seterr(err, errlen, "more than %d %s entries",
		    ALLOW_MAX, key);
	if (auth_parse_cidr(w, &list[*n]) == -1)
		return seterr(err, errlen, "%s: \"%s\" is not an address "
		    "or CIDR network", key, w);
	(*n)++;
	return 0;
}

static int
add_allow(struct config *cf, const char *w, char *err, size_t errlen)
{
	return add_cidr(cf->allow, &cf->nallow, "allow", w, err, errlen);
}

static int
add_status_allow(struct config *cf, const char *w, char *err, size_t errlen)
{
	return add_cidr(cf->status_allow, &cf->nstatus_allow, "status_allow",
	    w, err, errlen);
}

/* The first line replaces the default, the next ones add (as allow). */
static void
status_allow_begin(struct config *cf)
{
	if (!cf->status_allow_set)
		cf->nstatus_allow = 0;
	cf->status_allow_set = true;
}

static int
add_user(struct config *cf, const char *w, char *err, size_t errlen)
{
	if (strcmp(w, "*") == 0) {
		cf->users_any = true;
		return 0;
	}
	if (cf->nusers == USERS_MAX)
		return seterr(err, errlen, "users: more than %d accounts",
		    USERS_MAX);
	if (strlcpy(cf->users[cf->nusers], w, USER_MAX) >= USER_MAX)
		return seterr(err, errlen, "users: name too long");
	cf->nusers++;
	return 0;
}

/* NAME COMMAND...; a later line for a name replaces the earlier. */
static int
add_subsystem(struct config *cf, const char *v, char *err, size_t errlen)
{
	size_t n = strcspn(v, " \t"), i;
	const char *cmd = v + n + strspn(v + n, " \t");

	if (n == 0 || *cmd == '\0')
		return seterr(err, errlen, "subsystem: not NAME COMMAND");
	if (n >= SUBSYS_NAME_MAX)
		return seterr(err, errlen, "subsystem: name too long");
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] >= 0x7f || v[i] == '/')
			return seterr(err, errlen, "subsystem: not a name");
	for (i = 0; i < cf->nsubsys; i++)
		if (strncmp(cf->subsys[i].name, v, n) == 0 &&
		    cf->subsys[i].name[n] == '\0')
			break;
	if (i == SUBSYS_MAX)
		return seterr(err, errlen, "subsystem: more than %d",
		    SUBSYS_MAX);
	if (strlcpy(cf->subsys[i].cmd, cmd, SUBSYS_CMD_MAX) >=
	    SUBSYS_CMD_MAX)
		return seterr(err, errlen, "subsystem: command too long");
	memcpy(cf->subsys[i].name, v, n);
	cf->subsys[i].name[n] = '\0';
	if (i == cf->nsubsys)
		cf->nsubsys++;
	return 0;
}

const char *
config_subsystem(const struct config *cf, const char *name)
{
	for (size_t i = 0; i < cf->nsubsys; i++)
		if (strcmp(cf->subsys[i].name, name) == 0)
			return cf->subsys[i].cmd;
	return NULL;
}

/* Each line replaces the list. */
static void
users_begin(struct config *cf)
{
	cf->nusers = 0;
	cf->users_any = false;
}

/* The value with a trailing " # comment" and surrounding blanks removed. */
static void
strip_comment(char *v)
{
	char *p;
	size_t n;

	for (p = v; *p != '\0'; p++)
		if (*p == '#' && (p == v || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	n = strlen(v);
	while (n > 0 && isspace((unsigned char)v[n - 1]))
		v[--n] = '\0';
}

static int
handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct parse_ctx *ctx = user;
	char v[1024];

	if (ctx->err_line != 0)
		return 1;
	if (*section != '\0' && strcmp(section, "rexecd") != 0) {
		snprintf(ctx->err, sizeof(ctx->err), "unknown section [%s]",
		    section);
		goto bad;
	}
	strlcpy(v, value, sizeof(v));
	strip_comment(v);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].name, name) != 0)
			continue;
		if (set_key(ctx->cf, &keys[i], v, ctx->err,
		    sizeof(ctx->err)) == 0)
			return 1;
		goto bad;
	}
	snprintf(ctx->err, sizeof(ctx->err), "unknown key \"%s\"", name);
bad:
	ctx->err_line = ctx->line;
	return 0;
}

static char *
reader(char *str, int num, void *stream)
{
	struct parse_ctx *ctx = stream;
	char *s = fgets(str, num, ctx->fp);
	size_t len;

	if (s == NULL)
		return NULL;
	ctx->line++;
	/* inih would take the rest of a long line for the next line. */
	len = strlen(s);
	if (len == (size_t)num - 1 && s[len - 1] != '\n' && !feof(ctx->fp)) {
		ctx->long_line = ctx->line;
		ctx->line_max = num - 2;
		return NULL;
	}
	return s;
}
