/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <munge.h>
#include <stdio.h>
#include <string.h>

#include "mungeid.h"

static void	fail(munge_ctx_t, munge_err_t, struct mungeid_error *);

int
mungeid_decode(const char *socket, const char *cred, uid_t *uid,
    struct mungeid_error *e)
{
	munge_ctx_t ctx;
	munge_err_t r;
	gid_t gid;

	memset(e, 0, sizeof(*e));
	if ((ctx = munge_ctx_create()) == NULL) {
		fail(NULL, EMUNGE_NO_MEMORY, e);
		return -1;
	}
	if (socket != NULL && socket[0] != '\0' &&
	    (r = munge_ctx_set(ctx, MUNGE_OPT_SOCKET, socket)) != EMUNGE_SUCCESS)
		fail(ctx, r, e);
	/* No payload: the credential proves a uid, nothing more. */
	else if ((r = munge_decode(cred, ctx, NULL, NULL, uid, &gid)) !=
	    EMUNGE_SUCCESS)
		fail(ctx, r, e);
	munge_ctx_destroy(ctx);
	return e->reason[0] != '\0' ? -1 : 0;
}

/*
 * The client is told libmunge's short reason ("Replayed credential"):
 * the longer one can name our socket's path.  Those from bad credential
 * to unauthorized decode are the credential's; the others are munged's.
 */
static void
fail(munge_ctx_t ctx, munge_err_t r, struct mungeid_error *e)
{
	const char *detail = ctx != NULL ? munge_ctx_strerror(ctx) : NULL;

	e->client = r >= EMUNGE_BAD_CRED && r <= EMUNGE_CRED_UNAUTHORIZED;
	snprintf(e->reason, sizeof(e->reason), "munge: %s%s",
	    munge_strerror(r), e->client ? "" : " (the server's munged)");
	snprintf(e->detail, sizeof(e->detail), "%s",
	    detail != NULL ? detail : munge_strerror(r));
}
