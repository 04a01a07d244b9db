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
#include "sshopts.h"

#define OPTION_MAX		1024
/* Never sent, whatever the pattern: the shared secret stays here. */
#define SECRET_PREFIX		"REXEC_TOKEN"

extern char **environ;

/* What rexec has no use for: ssh's authentication, X11, multiplexing. */
static const char *const ignored[] = {
	"BatchMode", "ForwardAgent", "ForwardX11", "StrictHostKeyChecking",
	"UserKnownHostsFile", "GlobalKnownHostsFile", "LogLevel",
	"ServerAliveInterval", "ServerAliveCountMax", "Compression",
	"ControlMaster", "ControlPath", "ControlPersist", "IdentitiesOnly",
	"PasswordAuthentication",
};

static int	 take_o(struct sshopts *, const char *);
static int	 split(const char *, char *name, char *value);
static int	 set_value(struct sshopts *, const char *name,
		    const char *value);
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

	if (split(arg, name, value) == -1)
		return usage_error("-o wants NAME=VALUE, not '%s'", arg);
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (strcasecmp(name, ignored[i]) == 0)
			return 0;
	return set_value(so, name, value);
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
set_value(struct sshopts *so, const char *name, const char *value)
{
	char *end;

	if (strcasecmp(name, "Port") == 0)
		return set_string(&so->port, value);
	if (strcasecmp(name, "User") == 0)
		return set_string(&so->user, value);
	if (strcasecmp(name, "SendEnv") == 0)
		return add_sendenv(so, value);
	if (strcasecmp(name, "ConnectTimeout") != 0)
		return usage_error("unknown ssh option %s", name);
	errno = 0;
	so->connect_timeout = strtod(value, &end);
	if (errno != 0 || *end != '\0' || !isfinite(so->connect_timeout) ||
	    so->connect_timeout <= 0 ||
	    so->connect_timeout > CONNECT_TIMEOUT_MAX)
		return usage_error("-o ConnectTimeout wants a number of "
		    "seconds above 0, not '%s'", value);
	return 0;
}

static int
set_string(char **dst, const char *value)
{
	char *s = strdup(value);

	if (s == NULL)
		return usage_error("out of memory");
	free(*dst);
	*dst = s;
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

int
sshopts_sendenv(const struct sshopts *so, char ***env, size_t *envc)
{
	size_t given = *envc;

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
	free(so->port);
	free(so->user);
	memset(so, 0, sizeof(*so));
}
