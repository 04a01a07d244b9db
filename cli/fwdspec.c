/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "fwdspec.h"

/* Fields of an argument: -L has at most four. */
#define FIELDS_MAX	4

static int	split(const char *arg, char fields[FIELDS_MAX][CONNECT_HOST_MAX + 1]);
static int	port_of(const char *s, bool zero_ok, unsigned *port);

int
fwdspec_target(const char *opt, const char *arg, struct fwd_target *t)
{
	char f[FIELDS_MAX][CONNECT_HOST_MAX + 1];

	if (split(arg, f) != 2 || f[0][0] == '\0' ||
	    port_of(f[1], false, &t->port) == -1)
		return usage_error("%s wants host:port, not '%s'", opt, arg);
	memcpy(t->host, f[0], sizeof(t->host));
	return 0;
}

int
fwdspec_local(const char *opt, const char *arg, struct fwd_local *l)
{
	char f[FIELDS_MAX][CONNECT_HOST_MAX + 1];
	int n = split(arg, f), k = n == 4 ? 1 : 0;

	memset(l, 0, sizeof(*l));
	if ((n != 3 && n != 4) || port_of(f[k], true, &l->port) == -1 ||
	    f[k + 1][0] == '\0' || port_of(f[k + 2], false, &l->to.port) == -1)
		return usage_error("%s wants [bind_address:]port:host:hostport, "
		    "not '%s'", opt, arg);
	if (n == 4)
		memcpy(l->bind, f[0], sizeof(l->bind));
	memcpy(l->to.host, f[k + 1], sizeof(l->to.host));
	return 0;
}

/*
 * Fields separated by ':' (or '/', which ssh also takes), a field in
 * brackets taken whole ("[::1]"); the count, or -1 when too many or too
 * long.
 */
static int
split(const char *arg, char fields[FIELDS_MAX][CONNECT_HOST_MAX + 1])
{
	int n = 0;
	size_t len;
	const char *p = arg, *end;

	for (;;) {
		if (n == FIELDS_MAX)
			return -1;
		if (*p == '[' && (end = strchr(p, ']')) != NULL &&
		    (end[1] == ':' || end[1] == '/' || end[1] == '\0')) {
			p++;
			len = (size_t)(end - p);
			end++;
		} else {
			end = p + strcspn(p, ":/");
			len = (size_t)(end - p);
		}
		if (len > CONNECT_HOST_MAX)
			return -1;
		memcpy(fields[n], p, len);
		fields[n++][len] = '\0';
		if (*end == '\0')
			return n;
		p = end + 1;
	}
}

static int
port_of(const char *s, bool zero_ok, unsigned *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < (zero_ok ? 0 : 1) ||
	    v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

const char *
fwdspec_bind_host(const struct fwd_local *l, bool gateway)
{
	if (strcmp(l->bind, "localhost") == 0)
		return "127.0.0.1";
	if (l->bind[0] == '*' || (l->bind[0] == '\0' && gateway))
		return NULL;	/* every address */
	return l->bind[0] != '\0' ? l->bind : "127.0.0.1";
}

json_t *
fwdspec_request(const struct fwd_target *t, const char *token)
{
	struct connect_req r = { .host = t->host, .port = t->port,
	    .token = token, .token_len = token != NULL ? strlen(token) : 0 };

	return msg_connect(&r);
}
