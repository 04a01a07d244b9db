/* SPDX-License-Identifier: ISC */
/* Descriptor helpers shared by both programs. */
#ifndef REXEC_FDIO_H
#define REXEC_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Whole-buffer I/O on blocking fds, EINTR and short transfers handled;
 * on a non-blocking fd they wait with poll.  read_full returns the bytes
 * read (less than n only at EOF) or -1; write_full returns 0 or -1. */
ssize_t	read_full(int fd, void *buf, size_t n);
int	write_full(int fd, const void *buf, size_t n);
/* Blocks until fd is ready for events (POLLIN/POLLOUT); 0 or -1. */
int	wait_fd(int fd, short events);

int	set_nonblock(int fd, int on);
int	set_cloexec(int fd);

#endif
