/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "fail.h"
#include "forward.h"
#include "fwdreq.h"
#include "mungecred.h"
#include "token.h"

static int	forward_stdio(const struct options *, struct host *);

int
forward_run(const struct options *o, struct host *h, char **words,
    int nwords)
{
	const struct fwdopts *f = &o->ssh.fwd;

	if (f->stdio.host != NULL) {
		if (f->nlocal > 0 || nwords > 0)
			return usage_error("-W takes neither a command nor -L");
		return forward_stdio(o, h);
	}
	(void)words;
	return usage_error("%s: local forwarding is not built yet",
	    fwdspec_option(f));
}

/*
 * -W: stdin and stdout are the connection, through the one engine as a
 * command's streams are; exit 0 once the far side has closed and all
 * it sent is written.
 */
static int
forward_stdio(const struct options *o, struct host *h)
{
	struct engine_opts eo = { .fanout = 1, .family = o->ssh.family,
	    .connect_timeout_ms = connect_timeout_ms(o),
	    .stdin_open = stdin_readable() };
	char *token = NULL;
	int status = EXIT_REXEC_FAILED;

	/* -M: the credential instead of the token, as for a command. */
	if (o->munge ? mungecred_open() == -1 :
	    token_load(o->token_file, &token) == -1)
		return status;
	eo.munge = o->munge;
	eo.exec = fwdreq_connect(o->ssh.fwd.stdio.host,
	    o->ssh.fwd.stdio.hostport, token);
	if (eo.exec == NULL)
		report("cannot encode the connect request");
	else
		status = engine_run(h, 1, &eo);
	json_decref(eo.exec);
	mungecred_close();
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	return status;
}
