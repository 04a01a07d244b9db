/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fail.h"
#include "sshkeywords.h"
#include "sshopts.h"

#define OPTION_MAX		1024
/* Never sent, whatever the pattern: the shared secret stays here. */
#define SECRET_PREFIX		"REXEC_TOKEN"

extern char **environ;

static int	 take_o(struct sshopts *, const char *);
static int	 split(const char *, char *name, char *value);
static int	 set_value(struct sshopts *, const struct sshkw *,
		    const char *value);
static int	 set_more(struct sshopts *, const struct sshkw *,
		    const char *value);
static int	 pick_word(const struct sshkw *, const char *value);
static int	 add_local_forward(struct sshopts *, const char *);
static int	 add_setenv(struct sshopts *, const char *);
static char	*next_word(char **);
static int	 set_string(char **, const char *);
static int	 add_sendenv(struct sshopts *, const char *patterns);
static bool	 env_has(char **env, size_t envc, const char *var);
static bool	 wanted(const struct sshopts *, const char *var);
static int	 append(char ***env, size_t *envc, char *var);
static int	 set_string(char **, const char *);
static int	 add_sendenv(struct sshopts *, const char *patterns);
static bool	 env_has(char **env, size_t envc, const char *var);
static bool	 wanted(const struct sshopts *, const char *var);
static int	 append(char ***env, size_t *envc, char *var);

int
sshopts_take(struct sshopts *so, int c, const char *arg)
{
	switch (c) {
	case 'o':
		return take_o(so, arg);
	case '4':
		so->family = AF_INET;
		return 0;
	case '6':
		so->family = AF_INET6;
		return 0;
	case 'q':
		so->quiet = true;
		return 0;
	case 'G':
		so->print_config = true;
		return 0;
	default:		/* -a, -2: nothing to do */
		return 0;
	}
}

/* "NAME=VALUE" or "NAME VALUE", as ssh_config(5) lines. */
static int
take_o(struct sshopts *so, const char *arg)
{
	char name[OPTION_MAX], value[OPTION_MAX];
	const struct sshkw *kw;

	if (split(arg, name, value) == -1)
		return usage_error("-o wants NAME=VALUE, not '%s'", arg);
	if ((kw = sshkw_find(name)) == NULL || (!so->full && !kw->rexec))
		return usage_error("unknown ssh option %s", name);
	if (kw->kind == KW_REFUSED)
		return usage_error("-o %s: not supported (as %s is not)",
		    kw->name, kw->as);
	return set_value(so, kw, value);
}

static int
split(const char *arg, char *name, char *value)
{
	size_t n, len = strlen(arg);

	if (len >= OPTION_MAX)
		return -1;
	while (isspace((unsigned char)*arg))
		arg++;
	n = strcspn(arg, "= \t");
	if (n == 0)
		return -1;
	memcpy(name, arg, n);
	name[n] = '\0';
	arg += n;
	arg += strspn(arg, " \t");
	if (*arg == '=')
		arg++;
	arg += strspn(arg, " \t");
	len = strlen(arg);
	while (len > 0 && isspace((unsigned char)arg[len - 1]))
		len--;
	if (len == 0)
		return -1;
	memcpy(value, arg, len);
	value[len] = '\0';
	return 0;
}

static int
set_value(struct sshopts *so, const struct sshkw *kw, const char *value)
{
	char *end;
	double secs;

	switch (kw->kind) {
	case KW_IGNORED:
		return 0;
	case KW_PORT:
		return set_string(&so->port, value);
	case KW_USER:
		return set_string(&so->user, value);
	case KW_HOSTNAME:
		return set_string(&so->hostname, value);
	case KW_SENDENV:
		return add_sendenv(so, value);
	case KW_CONNECT_TIMEOUT:
		break;
	default:
		return set_more(so, kw, value);
	}
	errno = 0;
	secs = strtod(value, &end);
	if (errno != 0 || *end != '\0' || !isfinite(secs) || secs <= 0 ||
	    secs > CONNECT_TIMEOUT_MAX)
		return usage_error("-o ConnectTimeout wants a number of "
		    "seconds above 0, not '%s'", value);
	if (so->connect_timeout == 0)
		so->connect_timeout = secs;
	return 0;
}

/* The keywords only rexec-ssh takes (the table says which). */
static int
set_more(struct sshopts *so, const struct sshkw *kw, const char *value)
{
	int v;

	switch (kw->kind) {
	case KW_SETENV:
		return add_setenv(so, value);
	case KW_REMOTE_COMMAND:
		if (so->remote_command_set)
			return 0;
		so->remote_command_set = true;
		return strcasecmp(value, "none") == 0 ? 0 :
		    set_string(&so->remote_command, value);
	case KW_LOCAL_FORWARD:
		return add_local_forward(so, value);
	case KW_ESCAPE_CHAR:
		if (sshopts_escape("-o EscapeChar", value, &v) == -1)
			return -1;
		if (so->escape == SSH_ESCAPE_UNSET)
			so->escape = v;
		return 0;
	default:
		break;
	}
	if ((v = pick_word(kw, value)) == -1)
		return -1;
	switch (kw->kind) {
	case KW_REQUEST_TTY:
		if (so->request_tty == SSH_TTY_UNSET)
			so->request_tty = (enum ssh_tty)v;
		break;
	case KW_SESSION_TYPE:
		if (so->session == SSH_SESSION_UNSET)
			so->session = (enum ssh_session)v;
		break;
	case KW_ADDRESS_FAMILY:
		if (so->family == AF_UNSPEC)
			so->family = v;
		break;
	case KW_STDIN_NULL:
		so->stdin_null |= v;
		break;
	case KW_GATEWAY_PORTS:
		so->fwd.gateway |= v;
		break;
	default:		/* KW_FORK */
		so->fwd.background |= v;
		break;
	}
	return 0;
}

/* The words a keyword takes and what each means. */
static int
pick_word(const struct sshkw *kw, const char *value)
{
	static const struct { enum sshkw_kind kind; const char *word; int v; }
	    words[] = {
		{ KW_REQUEST_TTY, "no", SSH_TTY_NO },
		{ KW_REQUEST_TTY, "yes", SSH_TTY_YES },
		{ KW_REQUEST_TTY, "force", SSH_TTY_FORCE },
		{ KW_REQUEST_TTY, "auto", SSH_TTY_AUTO },
		{ KW_SESSION_TYPE, "default", SSH_SESSION_DEFAULT },
		{ KW_SESSION_TYPE, "subsystem", SSH_SESSION_SUBSYSTEM },
		{ KW_SESSION_TYPE, "none", SSH_SESSION_NONE },
		{ KW_ADDRESS_FAMILY, "any", AF_UNSPEC },
		{ KW_ADDRESS_FAMILY, "inet", AF_INET },
		{ KW_ADDRESS_FAMILY, "inet6", AF_INET6 },
		{ KW_STDIN_NULL, "yes", 1 }, { KW_STDIN_NULL, "no", 0 },
		{ KW_GATEWAY_PORTS, "yes", 1 }, { KW_GATEWAY_PORTS, "no", 0 },
		{ KW_FORK, "yes", 1 }, { KW_FORK, "no", 0 },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (words[i].kind == kw->kind &&
		    strcasecmp(words[i].word, value) == 0)
			return words[i].v;
	return usage_error("-o %s: unknown value '%s'", kw->name, value);
}

/* LocalForward's two words ("[bind:]port host:hostport") are -L's one. */
static int
add_local_forward(struct sshopts *so, const char *value)
{
	char spec[OPTION_MAX];
	size_t n = strcspn(value, " \t");

	if (value[n] == '\0')
		return fwdspec_add_local(&so->fwd, "-o LocalForward", value);
	snprintf(spec, sizeof(spec), "%.*s:%s", (int)n, value,
	    value + n + strspn(value + n, " \t"));
	return fwdspec_add_local(&so->fwd, "-o LocalForward", spec);
}

int
sshopts_escape(const char *opt, const char *arg, int *c)
{
	if (strcasecmp(arg, "none") == 0)
		*c = SSH_ESCAPE_NONE;
	else if (arg[0] != '\0' && arg[1] == '\0')
		*c = (unsigned char)arg[0];
	else if (arg[0] == '^' && arg[1] != '\0' && arg[2] == '\0' &&
	    ((unsigned char)arg[1] & 31) != 0)
		*c = (unsigned char)arg[1] & 31;
	else
		return usage_error("%s: bad escape character '%s'", opt, arg);
	return 0;
}

static int
set_string(char **dst, const char *value)
{
	if (*dst != NULL)
		return 0;
	if ((*dst = strdup(value)) == NULL)
		return usage_error("out of memory");
	return 0;
}

/* SendEnv takes several patterns separated by blanks. */
static int
add_sendenv(struct sshopts *so, const char *patterns)
{
	char *copy = strdup(patterns), *p = copy, *w;
	char **v;

	if (copy == NULL)
		return usage_error("out of memory");
	while ((w = strsep(&p, " \t")) != NULL) {
		if (*w == '\0')
			continue;
		if ((v = realloc(so->sendenv, (so->nsendenv + 1) *
		    sizeof(*v))) == NULL || (v[so->nsendenv] =
		    strdup(w)) == NULL) {
			if (v != NULL)
				so->sendenv = v;
			free(copy);
			return usage_error("out of memory");
		}
		so->sendenv = v;
		so->nsendenv++;
	}
	free(copy);
	return 0;
}

/* SetEnv's NAME=VALUE words, quoted as ssh_config(5) words may be. */
static int
add_setenv(struct sshopts *so, const char *value)
{
	char *copy = strdup(value), *p = copy, *w;
	char **v;
	int rc = 0;

	if (copy == NULL)
		return usage_error("out of memory");
	while (rc == 0 && (w = next_word(&p)) != NULL) {
		if (strchr(w, '=') == NULL || w[0] == '=')
			rc = usage_error("-o SetEnv wants NAME=VALUE, not "
			    "'%s'", w);
		else if ((v = realloc(so->setenv, (so->nsetenv + 1) *
		    sizeof(*v))) == NULL || (v[so->nsetenv] =
		    strdup(w)) == NULL) {
			if (v != NULL)
				so->setenv = v;
			rc = usage_error("out of memory");
		} else {
			so->setenv = v;
			so->nsetenv++;
		}
	}
	free(copy);
	return rc;
}

/*
 * The next blank-separated word of *p, its quotes ("" or '') and
 * backslashes undone in place; NULL at the end.
 */
static char *
next_word(char **p)
{
	char *r = *p, *w, *start;
	char quote = 0;

	if (r == NULL)
		return NULL;
	r += strspn(r, " \t");
	if (*r == '\0')
		return *p = NULL;
	for (start = w = r; *r != '\0'; r++) {
		if (quote == 0 && (*r == ' ' || *r == '\t'))
			break;
		if (*r == '\\' && r[1] != '\0' && quote != '\'')
			*w++ = *++r;
		else if (quote == 0 && (*r == '"' || *r == '\''))
			quote = *r;
		else if (*r == quote)
			quote = 0;
		else
			*w++ = *r;
	}
	*p = *r == '\0' ? r : r + 1;
	*w = '\0';
	return start;
}

int
sshopts_sendenv(const struct sshopts *so, char ***env, size_t *envc)
{
	size_t given;

	for (size_t i = 0; i < so->nsetenv; i++)
		if (!env_has(*env, *envc, so->setenv[i]) &&
		    append(env, envc, so->setenv[i]) == -1)
			return -1;
	given = *envc;
	for (char **e = environ; so->nsendenv > 0 && *e != NULL; e++)
		if (strchr(*e, '=') != NULL && *e[0] != '=' &&
		    wanted(so, *e) && !env_has(*env, given, *e) &&
		    append(env, envc, *e) == -1)
			return -1;
	return 0;
}

static bool
wanted(const struct sshopts *so, const char *var)
{
	char name[OPTION_MAX];
	size_t n = strcspn(var, "=");

	if (n >= sizeof(name))
		return false;
	memcpy(name, var, n);
	name[n] = '\0';
	if (strncmp(name, SECRET_PREFIX, strlen(SECRET_PREFIX)) == 0)
		return false;
	for (size_t i = 0; i < so->nsendenv; i++)
		if (fnmatch(so->sendenv[i], name, 0) == 0)
			return true;
	return false;
}

static bool
env_has(char **env, size_t envc, const char *var)
{
	size_t n = strcspn(var, "=") + 1;

	for (size_t i = 0; i < envc; i++)
		if (strncmp(env[i], var, n) == 0)
			return true;
	return false;
}

static int
append(char ***env, size_t *envc, char *var)
{
	char **v = realloc(*env, (*envc + 2) * sizeof(*v));

	if (v == NULL)
		return -1;
	v[(*envc)++] = var;
	v[*envc] = NULL;
	*env = v;
	return 0;
}

void
sshopts_print(const char *host, const char *port, const char *user)
{
	struct passwd *pw;

	if (user == NULL && (pw = getpwuid(getuid())) != NULL)
		user = pw->pw_name;
	printf("hostname %s\nport %s\n", host, port);
	if (user != NULL)
		printf("user %s\n", user);
}

void
sshopts_free(struct sshopts *so)
{
	for (size_t i = 0; i < so->nsendenv; i++)
		free(so->sendenv[i]);
	free(so->sendenv);
	for (size_t i = 0; i < so->nsetenv; i++)
		free(so->setenv[i]);
	free(so->setenv);
	free(so->port);
	free(so->user);
	free(so->hostname);
	free(so->remote_command);
	fwdspec_free(&so->fwd);
	memset(so, 0, sizeof(*so));
}
