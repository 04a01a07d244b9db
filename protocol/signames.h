/* SPDX-License-Identifier: ISC */
/* Signal names as the protocol spells them: "INT" <-> SIGINT. */
#ifndef REXEC_SIGNAMES_H
#define REXEC_SIGNAMES_H

/* Signals a client may send in a "signal" frame. */
int		 signame_forwardable(int signo);
/* Name without "SIG" of any common signal, or NULL. */
const char	*signame_from_number(int signo);
/* Number of a name without "SIG", or -1. */
int		 signame_to_number(const char *name);

#endif
