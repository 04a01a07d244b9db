/* SPDX-License-Identifier: ISC */
/* Descriptors 0-2 at start-up. */
#ifndef REXEC_STDFDS_H
#define REXEC_STDFDS_H

/*
 * Opens /dev/null on each of 0-2 that is closed: a socket or a log file
 * that landed there would be mistaken for stdio.
 */
void	stdfds_ensure(void);

#endif
