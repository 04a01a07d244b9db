/* SPDX-License-Identifier: ISC */
/*
 * --outdir DIR: each host's stdout into DIR/HOST.out and its stderr into
 * DIR/HOST.err, byte for byte, as pssh -o and -e keep them.
 */
#ifndef REXEC_CLI_OUTDIR_H
#define REXEC_CLI_OUTDIR_H

#include <stddef.h>

/* DIR and its missing parents, as mkdir -p; 0, or -1 after a line. */
int	outdir_make(const char *dir);
/*
 * Creates (truncating) DIR/HOST.out into fds[1] and DIR/HOST.err into
 * fds[2]; a "/" in HOST becomes "_".  0, or -1 with both closed (-1)
 * and the reason in why.
 */
int	outdir_open(const char *dir, const char *host, int fds[3], char *why,
	    size_t whylen);
/* n bytes to fd (a regular file: it never waits for a reader); 0 or -1. */
int	outdir_write(int fd, const void *, size_t n);
void	outdir_close(int fds[3]);

#endif
