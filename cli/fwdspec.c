/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "fwdspec.h"

#define FIELDS_MAX	4

static int	 split_fields(char *, char **fields, int max);
static char	*next_field(char **);
static int	 parse_port(const char *, int min, int *);
static int	 set_spec(struct fwd_spec *, const char *bind, const char *port,
		    const char *host, const char *hostport);
static int	 fail_spec(const char *opt, const char *spec, const char *why);

int
fwdspec_add_local(struct fwdopts *f, const char *opt, const char *spec)
{
	char *copy, *fld[FIELDS_MAX];
	struct fwd_spec s = { 0 }, *v;
	int n, rc = -1;

	if ((copy = strdup(spec)) == NULL)
		return usage_error("out of memory");
	n = split_fields(copy, fld, FIELDS_MAX);
	if (n == 3)
		rc = set_spec(&s, NULL, fld[0], fld[1], fld[2]);
	else if (n == 4)
		rc = set_spec(&s, fld[0], fld[1], fld[2], fld[3]);
	free(copy);
	if (rc == -1)
		return fail_spec(opt, spec,
		    "wants [bind_address:]port:host:hostport");
	if ((v = realloc(f->local, (f->nlocal + 1) * sizeof(*v))) == NULL) {
		free(s.bind);
		free(s.host);
		return usage_error("out of memory");
	}
	v[f->nlocal++] = s;
	f->local = v;
	return 0;
}

int
fwdspec_set_stdio(struct fwdopts *f, const char *spec)
{
	char *copy, *fld[FIELDS_MAX];
	int rc = -1;

	if (f->stdio.host != NULL)
		return usage_error("-W may be given once");
	if ((copy = strdup(spec)) == NULL)
		return usage_error("out of memory");
	if (split_fields(copy, fld, FIELDS_MAX) == 2)
		rc = set_spec(&f->stdio, NULL, "0", fld[0], fld[1]);
	free(copy);
	return rc == -1 ? fail_spec("-W", spec, "wants host:port") : 0;
}

/* Splits at ':' outside [brackets], which are removed; the count, or -1
 * (too many fields, an unclosed bracket, a path: no Unix sockets). */
static int
split_fields(char *s, char **fields, int max)
{
	int n = 0;

	if (strchr(s, '/') != NULL)
		return -1;
	while (s != NULL) {
		if (n == max || (fields[n] = next_field(&s)) == NULL)
			return -1;
		n++;
	}
	return n;
}

static char *
next_field(char **sp)
{
	char *s = *sp, *end;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL ||
		    (end[1] != ':' && end[1] != '\0'))
			return NULL;
		*end = '\0';
		*sp = end[1] == ':' ? end + 2 : NULL;
		return s + 1;
	}
	if ((end = strchr(s, ':')) != NULL) {
		*end = '\0';
		*sp = end + 1;
	} else
		*sp = NULL;
	return s;
}

static int
parse_port(const char *s, int min, int *port)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > 65535)
		return -1;
	*port = (int)n;
	return 0;
}

static int
set_spec(struct fwd_spec *s, const char *bind, const char *port,
    const char *host, const char *hostport)
{
	if (parse_port(port, 0, &s->port) == -1 ||
	    parse_port(hostport, 1, &s->hostport) == -1 || host[0] == '\0')
		return -1;
	if ((s->host = strdup(host)) == NULL ||
	    (bind != NULL && (s->bind = strdup(bind)) == NULL)) {
		free(s->host);
		s->host = NULL;
		return -1;
	}
	return 0;
}

static int
fail_spec(const char *opt, const char *spec, const char *why)
{
	return usage_error("%s %s: %s", opt, spec, why);
}

bool
fwdspec_wanted(const struct fwdopts *f)
{
	return fwdspec_option(f) != NULL;
}

const char *
fwdspec_option(const struct fwdopts *f)
{
	if (f->nlocal > 0)
		return "-L";
	if (f->stdio.host != NULL)
		return "-W";
	if (f->no_command)
		return "-N";
	if (f->background)
		return "-f";
	return NULL;
}

void
fwdspec_free(struct fwdopts *f)
{
	for (size_t i = 0; i < f->nlocal; i++) {
		free(f->local[i].bind);
		free(f->local[i].host);
	}
	free(f->local);
	free(f->stdio.bind);
	free(f->stdio.host);
	memset(f, 0, sizeof(*f));
}
