/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "fail.h"

static int	 split_user(const char **, struct address *);
static int	 split_bracketed(const char *, struct address *);

int
address_parse(const char *arg, struct address *a)
{
	const char *colon;

	a->user = a->host = a->port = NULL;
	if (split_user(&arg, a) == -1)
		return -1;
	colon = strchr(arg, ':');
	if (arg[0] == '[') {
		if (split_bracketed(arg, a) == -1) {
			address_free(a);
			return -1;
		}
		return 0;
	}
	/* More than one colon: an IPv6 address without a port, as ssh reads it. */
	if (colon == NULL || strchr(colon + 1, ':') != NULL) {
		a->host = strdup(arg);
	} else {
		a->host = strndup(arg, (size_t)(colon - arg));
		a->port = strdup(colon + 1);
		if (a->port == NULL || a->port[0] == '\0')
			goto bad;
	}
	if (a->host == NULL || a->host[0] == '\0')
		goto bad;
	return 0;
bad:
	address_free(a);
	report("invalid address '%s'", arg);
	return -1;
}

/* "user@host": the last '@' ends the account, as ssh reads it. */
static int
split_user(const char **arg, struct address *a)
{
	const char *at = strrchr(*arg, '@');

	if (at == NULL)
		return 0;
	if (at == *arg) {
		report("invalid address '%s': no account before '@'", *arg);
		return -1;
	}
	if ((a->user = strndup(*arg, (size_t)(at - *arg))) == NULL) {
		report("out of memory");
		return -1;
	}
	*arg = at + 1;
	return 0;
}

static int
split_bracketed(const char *arg, struct address *a)
{
	const char *close = strchr(arg, ']');

	if (close == NULL || close == arg + 1 ||
	    (close[1] != '\0' && (close[1] != ':' || close[2] == '\0'))) {
		report("invalid address '%s'", arg);
		return -1;
	}
	a->host = strndup(arg + 1, (size_t)(close - arg - 1));
	if (close[1] == ':')
		a->port = strdup(close + 2);
	if (a->host == NULL || (close[1] == ':' && a->port == NULL)) {
		report("out of memory");
		return -1;
	}
	return 0;
}

void
address_free(struct address *a)
{
	free(a->user);
	free(a->host);
	free(a->port);
	a->user = a->host = a->port = NULL;
}
