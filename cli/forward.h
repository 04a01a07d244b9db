/* SPDX-License-Identifier: ISC */
/*
 * Forwarding under rexec-ssh (-L, -W, -N, -f; files.md, Forwarding): the
 * one entry point main.c calls instead of running a command when
 * fwdspec_wanted() says the command line asks for it.
 */
#ifndef REXEC_CLI_FORWARD_H
#define REXEC_CLI_FORWARD_H

#include "host.h"
#include "options.h"

/* Runs the forwards of o->ssh.fwd (and the command words, if any) to h;
 * the exit status (255 after rexec's own failure). */
int	forward_run(const struct options *o, struct host *h, char **words,
	    int nwords);

#endif
