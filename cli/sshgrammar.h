/* SPDX-License-Identifier: ISC */
/*
 * rexec-ssh: ssh(1)'s command line (files.md), read into the options
 * rexec's own grammar fills, for the tools that run "ssh" (scp -S, sftp
 * -S, sshfs, rsync -e, git, pdsh, clush, GNU parallel).
 */
#ifndef REXEC_CLI_SSHGRAMMAR_H
#define REXEC_CLI_SSHGRAMMAR_H

#include <stdbool.h>

#include "host.h"
#include "options.h"

/* Whether argv[0]'s last component asks for ssh's grammar: rexec-ssh, or
 * ssh (a link of that name first in PATH, as pdsh and pdcp need). */
bool	sshgrammar_named(const char *argv0);

/*
 * Reads argv as ssh does: options, [user@]host, more options up to the
 * first word that is not one, then the command; "--" ends the options
 * and is dropped.  argv is rearranged so that the host comes just before
 * the command words: returns the host's index (argc when none was
 * given), -1 after a usage error (printed; exit 255), -2 when done (-V:
 * exit 0).
 */
int	sshgrammar_parse(int argc, char **argv, struct options *);

/* -v: what is about to happen, on stderr. */
void	sshgrammar_debug(const struct options *, const struct host *);

#endif
