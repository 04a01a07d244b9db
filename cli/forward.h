/* SPDX-License-Identifier: ISC */
/*
 * Forwarding under rexec-ssh (-L, -W, -N, -f; files.md, Forwarding):
 * forward_run runs -W and -N alone; with a command, forward_prepare
 * adds the listeners of -L (and -f) to the command's run.
 */
#ifndef REXEC_CLI_FORWARD_H
#define REXEC_CLI_FORWARD_H

#include <stdbool.h>

#include "engineopts.h"
#include "fwdspec.h"
#include "host.h"
#include "options.h"

/* Whether forward_run does it all (-W, -N): no command runs. */
bool	forward_alone(const struct fwdopts *);
/* Runs -W or -N -L to h; the exit status (255 after rexec's own
 * failure). */
int	forward_run(const struct options *o, struct host *h, char **words,
	    int nwords);
/* Listens for every -L and sets eo's listeners, and -f's hook for a
 * command of nwords words; 0, or -1 after one line. */
int	forward_prepare(const struct options *o, struct host *h,
	    struct engine_opts *eo, int nwords);
/* Closes what forward_prepare opened. */
void	forward_finish(struct engine_opts *eo);

#endif
