/* SPDX-License-Identifier: ISC */
/* The client's stdin payloads on their way to an fd: a command's stdin
 * or a forwarded connection, written together with one writev. */
#ifndef REXECD_INQUEUE_H
#define REXECD_INQUEUE_H

#include <sys/uio.h>

#include <stdbool.h>
#include <stddef.h>

#include "decode.h"
#include "frame.h"

/* Stdin frames queued for one writev at most. */
#define INQ_IOV_MAX	64

/* What differs between the users: where the bytes go, what a frame other
 * than stdin means, and what a broken fd or a protocol error does. */
struct inq_ops {
	int	(*flush)(void *arg);	/* 1 while blocked, else 0 */
	void	(*on_stdin)(void *arg, struct frame *);
	void	(*on_frame)(void *arg, struct frame *);
	void	(*on_error)(void *arg, const struct proto_error *);
};

/* The payloads stay in the decoder's buffer until written: the socket
 * is not read meanwhile. */
struct inqueue {
	const struct inq_ops	*ops;
	void			*arg;
	const bool		*stop;		/* the caller's: no more frames */
	struct iovec		 iov[INQ_IOV_MAX];
	int			 first, count;
	bool			 pending;	/* blocked: the fd is full */
	struct frame		 deferred;	/* came after queued stdin */
	bool			 have_deferred;
};

void	inq_init(struct inqueue *, const struct inq_ops *, void *arg,
	    const bool *stop);
/*
 * Handles the frames the decoder holds, in order: stdin payloads are
 * queued and flushed together before any other frame, or when the queue
 * is full.  Stops while the fd is blocked.
 */
void	inq_process(struct inqueue *, struct decoder *);
void	inq_push(struct inqueue *, const void *, size_t);
/* Writes what is queued: 0 when all is out, 1 when blocked, -1 (errno)
 * when the fd takes no more; the queue is emptied but at 1. */
int	inq_write(struct inqueue *, int fd);
/* Forgets what is queued (not the deferred frame). */
void	inq_drop(struct inqueue *);
/* Frees the deferred frame, if any. */
void	inq_clear_deferred(struct inqueue *);

#endif
