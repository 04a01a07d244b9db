/*
 * A data frame whose payload goes from a pipe to a socket with splice(2):
 * the bytes never pass through user space.  The header is sent first
 * with MSG_MORE, so header and payload still leave in the same segments.
 * The caller knows the pipe holds len bytes (FIONREAD), and is the only
 * reader: the splice never waits for the pipe, only for the socket.
 */
#ifndef REXEC_SPLICER_H
#define REXEC_SPLICER_H

#include <stdbool.h>
#include <stddef.h>

#include "encode.h"

struct frame_splice {
	unsigned char	head[FRAME_OUT_INLINE];
	size_t		head_len;
	size_t		head_sent;
	int		from;		/* the pipe */
	size_t		left;		/* payload bytes still in it */
};

/* Bytes readable in the pipe now, 0 when none or unknown. */
size_t	pipe_readable(int fd);
void	frame_splice_start(struct frame_splice *, enum frame_type,
	    int pipe_fd, size_t len);
/* As frame_out_send: 1 sent, 0 the socket would block, -1 error. */
int	frame_splice_send(struct frame_splice *, int sock);
/* Whether any byte of the frame has gone out. */
bool	frame_splice_started(const struct frame_splice *);

#endif
