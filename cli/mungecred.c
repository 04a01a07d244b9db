/* SPDX-License-Identifier: ISC */
#include <munge.h>
#include <stdio.h>
#include <stdlib.h>

#include "fail.h"
#include "mungecred.h"

static munge_ctx_t	 ctx;
static char		*first;

static char	*encode(char *why, size_t len);

int
mungecred_open(void)
{
	const char *sock = getenv("REXEC_MUNGE_SOCKET");
	char why[256];
	munge_err_t r;

	if ((ctx = munge_ctx_create()) == NULL)
		snprintf(why, sizeof(why), "out of memory");
	else if (sock != NULL && sock[0] != '\0' &&
	    (r = munge_ctx_set(ctx, MUNGE_OPT_SOCKET, sock)) != EMUNGE_SUCCESS)
		snprintf(why, sizeof(why), "%s", munge_strerror(r));
	else if ((first = encode(why, sizeof(why))) != NULL)
		return 0;
	report_nohost("munge: %s", why);
	return -1;
}

char *
mungecred_take(char *why, size_t len)
{
	char *c = first;

	if (c == NULL)
		return encode(why, len);
	first = NULL;
	return c;
}

void
mungecred_close(void)
{
	free(first);
	first = NULL;
	if (ctx != NULL)
		munge_ctx_destroy(ctx);
	ctx = NULL;
}

/* No payload: the credential proves our uid, nothing more. */
static char *
encode(char *why, size_t len)
{
	char *cred = NULL;
	munge_err_t r;

	if ((r = munge_encode(&cred, ctx, NULL, 0)) == EMUNGE_SUCCESS)
		return cred;
	snprintf(why, len, "%s", munge_ctx_strerror(ctx) != NULL ?
	    munge_ctx_strerror(ctx) : munge_strerror(r));
	return NULL;
}
