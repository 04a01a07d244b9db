/*
 * Frame encoder.  A frame is sent with one writev(2) of prefix+header and
 * the caller's payload, never copied.  struct frame_out keeps the progress
 * so a non-blocking sender resumes a partial write where it stopped.
 */
#ifndef REXEC_ENCODE_H
#define REXEC_ENCODE_H

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
 * Write what remains.  Returns 1 when the frame is fully sent, 0 when the
 * descriptor would block (non-blocking fd), -1 on error with errno.
 */
int	frame_out_send(struct frame_out *, int fd);

int	frame_out_done(const struct frame_out *);
void	frame_out_release(struct frame_out *);

/* Prepare, send to completion (waiting with poll on EAGAIN), release. */
int	frame_write_json(int fd, json_t *hdr, const void *payload, size_t len);
int	frame_write_data(int fd, enum frame_type, const void *payload,
	    size_t len);

/* Header bytes (prefix included) of a data frame; for tests and benches. */
size_t	frame_data_head(unsigned char *dst, size_t dstlen,
	    enum frame_type, size_t len);

#endif
