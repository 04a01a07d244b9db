/* SPDX-License-Identifier: ISC */
/* Unlinked temporary files, in $TMPDIR or /tmp, for what memory must
 * not hold: broadcast stdin (instore.c), gathered output (hold.c). */
#ifndef REXEC_CLI_SPILL_H
#define REXEC_CLI_SPILL_H

#include <sys/types.h>

#include <stddef.h>

/* A new file, already unlinked, read-write; its fd, or -1 with errno. */
int	spill_open(void);
/* All of p at off (short writes resumed); 0, or -1 with errno. */
int	spill_write(int fd, const void *p, size_t n, off_t off);
/* Up to n bytes at off (EINTR resumed); the count, -1 with errno. */
ssize_t	spill_read(int fd, void *p, size_t n, off_t off);

#endif
