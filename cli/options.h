/* SPDX-License-Identifier: ISC */
/*
 * What a command line asks for, whichever grammar read it: rexec's own
 * (main.c) or ssh's, when run as rexec-ssh (sshgrammar.c).
 */
#ifndef REXEC_CLI_OPTIONS_H
#define REXEC_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "copy.h"
#include "fleet.h"
#include "sshopts.h"

struct options {
	const char	 *port;
	const char	 *token_file;
	const char	 *cwd;
	const char	 *user;
	double		  timeout;
	double		  connect_timeout;
	bool		  no_stdin;
	bool		  argv_mode;
	bool		  status;	/* --status */
	bool		  pty;		/* -P, ssh -tt */
	bool		  no_pty;	/* --no-pty, ssh -T */
	bool		  munge;	/* -M, REXEC_MUNGE=1: a credential */
	bool		  pty_tty;	/* ssh -t: a pty when stdin is a terminal */
	bool		  ssh_grammar;	/* run as rexec-ssh: "shell" in exec */
	bool		  subsystem;	/* ssh -s: the command names a subsystem */
	int		  verbose;	/* ssh -v, repeatable */
	char		**env;
	size_t		  envc;
	struct sshopts	  ssh;
	struct fleetopts  fleet;
	struct copyopts	  copy;		/* --copy, --rcopy */
};

/* --connect-timeout, -o ConnectTimeout or the default, in ms. */
int	connect_timeout_ms(const struct options *);
/* Whether fd 0 is open for reading (else the server is told so). */
bool	stdin_readable(void);

#endif
