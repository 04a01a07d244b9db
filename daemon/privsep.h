/* SPDX-License-Identifier: ISC */
/* A new worker gives up what the master holds: it parses the network. */
#ifndef REXECD_PRIVSEP_H
#define REXECD_PRIVSEP_H

#include "config.h"

/*
 * Becomes the workers' account (when rexecd runs as root), with no
 * capabilities, no way back, and not dumpable: a command, even one of
 * the same account, can neither trace it nor read its memory (the
 * token).  Fatal on any failure.
 */
void	privsep_worker(const struct config *);

#endif
