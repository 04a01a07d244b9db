#include <sys/resource.h>
#include <sys/types.h>

#include <bsd/stdlib.h>
#include <bsd/string.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

struct parse_ctx {
	struct config	*cf;
	FILE		*fp;
	int		 line;		/* of the line being parsed */
	int		 err_line;	/* first bad line, 0: none */
	int		 long_line;	/* first line longer than inih takes */
	int		 line_max;	/* what inih takes, newline excluded */
	char		 err[256];
};

typedef int	(*key_fn)(struct config *, const char *, const char *,
		    char *, size_t);

static void	config_defaults(struct config *cf);
static int	parse_file(struct config *cf, const char *path, bool must_exist,
	    char *err, size_t errlen);
static int	seterr(char *err, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
static void	apply_opts(struct config *cf, const struct config_opts *o);
static int	validate(struct config *cf, char *err, size_t errlen);
static int	read_token(struct config *cf, char *err, size_t errlen);
static int	each_word(const char *value, int (*fn)(struct config *,
	    const char *, char *, size_t), struct config *cf, char *err,
	    size_t errlen);
static int	add_listen(struct config *cf, const char *w, char *err,
	    size_t errlen);
static int	set_listen(struct config *, const char *, const char *,
		    char *, size_t);
static int	parse_number(const char *name, const char *value, long long min,
	    long long max, long long *out, char *err, size_t errlen);
static int	set_int(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_token_file(struct config *, const char *, const char *,
		    char *, size_t);
static int	add_cidr(struct cidr *, size_t *n, const char *key,
	    const char *w, char *err, size_t errlen);
static int	add_allow(struct config *cf, const char *w, char *err,
	    size_t errlen);
static int	set_allow(struct config *, const char *, const char *,
		    char *, size_t);
static int	add_status_allow(struct config *cf, const char *w, char *err,
	    size_t errlen);
static int	set_status_allow(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_user(struct config *, const char *, const char *,
		    char *, size_t);
static int	resolve_worker(struct config *, uid_t user_uid, char *err,
	    size_t errlen);
static int	set_users(struct config *, const char *, const char *,
		    char *, size_t);
static int	parse_bool(const char *name, const char *v, bool *out,
	    char *err, size_t errlen);
static int	set_allow_root(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_allow_pty(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_log_level(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_startups(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_rlimit(struct config *, const char *, const char *,
		    char *, size_t);
static int	set_umask(struct config *, const char *, const char *,
		    char *, size_t);
static void	strip_comment(char *v);
static int	handler(void *user, const char *section, const char *name,
	    const char *value);
static char *reader(char *str, int num, void *stream);

static const struct key {
	const char	*name;
	key_fn		 fn;
} keys[] = {
	{ "listen",		set_listen },
	{ "port",		set_int },
	{ "workers",		set_int },
	{ "max_workers",	set_int },
	{ "max_spare",		set_int },
	{ "max_requests",	set_int },
	{ "request_timeout",	set_int },
	{ "shutdown_timeout",	set_int },
	{ "kill_grace",		set_int },
	{ "max_timeout",	set_int },
	{ "keepalive",		set_int },
	{ "stall_timeout",	set_int },
	{ "umask",		set_umask },
	{ "token_file",		set_token_file },
	{ "allow",		set_allow },
	{ "status_allow",	set_status_allow },
	{ "user",		set_user },
	{ "worker_user",	set_user },
	{ "users",		set_users },
	{ "allow_root",		set_allow_root },
	{ "allow_pty",		set_allow_pty },
	{ "log_level",		set_log_level },
	{ "max_startups",	set_startups },
	{ "per_source_max_startups", set_int },
	{ "per_source_penalty_authfail", set_int },
	{ "per_source_penalty_timeout", set_int },
	{ "per_source_penalty_min", set_int },
	{ "per_source_penalty_max", set_int },
	{ "rlimit_nofile",	set_rlimit },
	{ "rlimit_nproc",	set_rlimit },
	{ "rlimit_as",		set_rlimit },
	{ "rlimit_cpu",		set_rlimit },
};

static const struct int_key {
	const char	*name;
	size_t		 off;
	long long	 min, max;
} int_keys[] = {
	{ "port", offsetof(struct config, port), 0, 65535 },
	{ "workers", offsetof(struct config, workers), 1, WORKERS_LIMIT },
	{ "max_workers", offsetof(struct config, max_workers), 1,
	    WORKERS_LIMIT },
	{ "max_spare", offsetof(struct config, max_spare), 1, WORKERS_LIMIT },
	{ "request_timeout", offsetof(struct config, request_timeout), 1,
	    86400 },
	{ "shutdown_timeout", offsetof(struct config, shutdown_timeout), 0,
	    86400 },
	{ "kill_grace", offsetof(struct config, kill_grace), 0, 3600 },
	{ "max_timeout", offsetof(struct config, max_timeout), 0,
	    366 * 86400 },
	{ "keepalive", offsetof(struct config, keepalive), 0, 86400 },
	{ "stall_timeout", offsetof(struct config, stall_timeout), 0,
	    366 * 86400 },
	{ "per_source_max_startups", offsetof(struct config,
	    per_source_startups), 0, WORKERS_LIMIT },
	{ "per_source_penalty_authfail", offsetof(struct config,
	    penalty_authfail), 0, 86400 },
	{ "per_source_penalty_timeout", offsetof(struct config,
	    penalty_timeout), 0, 86400 },
	{ "per_source_penalty_min", offsetof(struct config, penalty_min), 0,
	    86400 },
	{ "per_source_penalty_max", offsetof(struct config, penalty_max), 0,
	    86400 },
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
	memset(cf, 0, sizeof(*cf));
	cf->port = 5120;
	cf->workers = 4;
	cf->max_workers = 64;
	cf->max_spare = 8;
	cf->max_requests = 10000;
	cf->request_timeout = 10;
	cf->shutdown_timeout = 30;
	cf->kill_grace = 2;
	cf->keepalive = 120;
	cf->umask = 022;
	cf->log_level = LOG_LEVEL_INFO;
	cf->allow_pty = true;
	cf->startups_begin = 10;
	cf->startups_rate = 30;
	cf->startups_full = 100;
	/* One address holds no more workers than max_startups' start. */
	cf->per_source_startups = 10;
	cf->penalty_authfail = 5;
	cf->penalty_timeout = 10;
	cf->penalty_min = 20;
	cf->penalty_max = 600;
	/* Command lines can hold secrets: only this host sees them. */
	(void)add_status_allow(cf, "127.0.0.1", NULL, 0);
	(void)add_status_allow(cf, "::1", NULL, 0);
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

static int
seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
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

/* Calls fn on each word of a comma- or space-separated list. */
static int
each_word(const char *value, int (*fn)(struct config *, const char *,
    char *, size_t), struct config *cf, char *err, size_t errlen)
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

static int
set_listen(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	return each_word(value, add_listen, cf, err, errlen);
}

static int
parse_number(const char *name, const char *value, long long min,
    long long max, long long *out, char *err, size_t errlen)
{
	const char *errstr;

	*out = strtonum(value, min, max, &errstr);
	if (errstr != NULL)
		return seterr(err, errlen, "%s: \"%s\" is %s (%lld to %lld)",
		    name, value, errstr, min, max);
	return 0;
}

static int
set_int(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	long long v;

	if (strcmp(name, "max_requests") == 0)
		return parse_number(name, value, 0, LLONG_MAX,
		    &cf->max_requests, err, errlen);
	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		const struct int_key *k = &int_keys[i];
		if (strcmp(k->name, name) != 0)
			continue;
		if (parse_number(name, value, k->min, k->max, &v, err,
		    errlen) == -1)
			return -1;
		*(int *)(void *)((char *)cf + k->off) = (int)v;
		return 0;
	}
	return seterr(err, errlen, "%s: unknown", name);
}

static int
set_token_file(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	if (strlcpy(cf->token_file, value, sizeof(cf->token_file)) >=
	    sizeof(cf->token_file))
		return seterr(err, errlen, "token_file: path too long");
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
set_allow(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	return each_word(value, add_allow, cf, err, errlen);
}

static int
add_status_allow(struct config *cf, const char *w, char *err, size_t errlen)
{
	return add_cidr(cf->status_allow, &cf->nstatus_allow, "status_allow",
	    w, err, errlen);
}

/* The first line replaces the default, the next ones add (as allow). */
static int
set_status_allow(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	if (!cf->status_allow_set)
		cf->nstatus_allow = 0;
	cf->status_allow_set = true;
	return each_word(value, add_status_allow, cf, err, errlen);
}

static int
set_user(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	char *dst = strcmp(name, "worker_user") == 0 ? cf->worker_user :
	    cf->user;

	if (strlcpy(dst, value, USER_MAX) >= USER_MAX)
		return seterr(err, errlen, "%s: name too long", name);
	return 0;
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

static int
set_users(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	cf->nusers = 0;
	cf->users_any = false;
	return each_word(value, add_user, cf, err, errlen);
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

static int
set_allow_root(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	return parse_bool("allow_root", value, &cf->allow_root, err, errlen);
}

static int
set_allow_pty(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	return parse_bool("allow_pty", value, &cf->allow_pty, err, errlen);
}

static int
set_log_level(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	(void)name;
	if (log_level_from_name(value, &cf->log_level) == -1)
		return seterr(err, errlen, "log_level: \"%s\" is not one of "
		    "error, warn, info, debug", value);
	return 0;
}

static int
set_startups(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	int a, r, f, n = -1;

	(void)name;
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

static int
set_rlimit(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	static const char *const names[RL_COUNT] = {
		"rlimit_nofile", "rlimit_nproc", "rlimit_as", "rlimit_cpu"
	};
	long long v;

	for (int i = 0; i < RL_COUNT; i++) {
		if (strcmp(names[i], name) != 0)
			continue;
		if (strcmp(value, "unlimited") == 0) {
			cf->rlim[i].set = true;
			cf->rlim[i].value = RLIM_INFINITY;
			return 0;
		}
		if (parse_number(name, value, 0, LLONG_MAX, &v, err,
		    errlen) == -1)
			return -1;
		cf->rlim[i].set = true;
		cf->rlim[i].value = (rlim_t)v;
		return 0;
	}
	return seterr(err, errlen, "%s: unknown", name);
}

/* Octal, as umask(1) takes it: a leading 0 or not. */
static int
set_umask(struct config *cf, const char *name, const char *value,
    char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 8);
	if (value[0] < '0' || value[0] > '7' || *end != '\0' || errno != 0 ||
	    v > 0777)
		return seterr(err, errlen, "%s: \"%s\" is not an octal mode "
		    "(000 to 777)", name, value);
	cf->umask = (mode_t)v;
	return 0;
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
		if (keys[i].fn(ctx->cf, name, v, ctx->err,
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
