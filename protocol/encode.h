/* SPDX-License-Identifier: ISC */
/*
 * Frame encoder.  A frame is sent with one writev(2) of prefix+header and
 * the caller's payload, never copied.  struct frame_out keeps the progress
 * so a non-blocking sender resumes a partial write where it stopped.
 * No I/O here: frameio.h sends.
 */
#ifndef REXEC_ENCODE_H
#define REXEC_ENCODE_H

#include <sys/uio.h>

#include <stddef.h>

#include <jansson.h>

#include "frame.h"

/* Room for prefix + the fixed header of a data frame. */
#define FRAME_OUT_INLINE	64

struct frame_out {
	unsigned char	*head;		/* prefix + header */
	size_t		 head_len;
	const void	*payload;	/* borrowed: valid until sent */
	size_t		 len;
	size_t		 sent;		/* of head_len + len */
	unsigned char	 inline_head[FRAME_OUT_INLINE];
};

/*
 * Prepare a data frame (stdin/stdout/stderr, or eof with len 0) with the
 * fixed header {"type":"T","len":N}: no JSON library call.
 */
void	frame_out_data(struct frame_out *, enum frame_type,
	    const void *payload, size_t len);

/*
 * Prepare a frame from a header object (its "len" is set from len).
 * Returns 0, or -1 if the header cannot be encoded or exceeds the limit.
 */
int	frame_out_json(struct frame_out *, json_t *hdr,
	    const void *payload, size_t len);

/*
 * The bytes still to send, as at most two iovecs (header, payload): the
 * count, 0 once the frame is sent.  The sender reports what went out
 * with frame_out_advance.
 */
int	frame_out_iov(const struct frame_out *, struct iovec iov[2]);
void	frame_out_advance(struct frame_out *, size_t n);
void	frame_out_release(struct frame_out *);

/* Header bytes (prefix included) of a data frame; for tests and benches. */
size_t	frame_data_head(unsigned char *dst, size_t dstlen,
	    enum frame_type, size_t len);

#endif
