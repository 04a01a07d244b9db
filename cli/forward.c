/* SPDX-License-Identifier: ISC */
#include "fail.h"
#include "forward.h"

/* The seam for the forwarding work (issue 21): not built yet. */
int
forward_run(const struct options *o, struct host *h, char **words,
    int nwords)
{
	(void)h;
	(void)words;
	(void)nwords;
	usage_error("%s: forwarding not built yet",
	    fwdspec_option(&o->ssh.fwd));
	return EXIT_REXEC_FAILED;
}
