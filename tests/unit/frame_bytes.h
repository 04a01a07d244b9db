/* SPDX-License-Identifier: ISC */
/* Building raw frames byte by byte, for feeding the decoder in tests. */
#ifndef REXEC_TEST_FRAME_BYTES_H
#define REXEC_TEST_FRAME_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

struct bytes {
	unsigned char	*data;
	size_t		 len;
	size_t		 cap;
};

void	bytes_add(struct bytes *, const void *, size_t);
/* Appends a frame with header text hdr (length prefix computed). */
void	bytes_frame(struct bytes *, const char *hdr, const void *payload,
	    size_t len);
/* Appends a frame whose prefix claims hlen, whatever follows. */
void	bytes_prefix(struct bytes *, uint32_t hlen);
void	bytes_free(struct bytes *);

/* Feeds everything and expects exactly one error; returns it. */
enum decode_error	decode_one_error(const struct bytes *);
/* Feeds everything and expects exactly one frame (caller clears it). */
void	decode_one_frame(const struct bytes *, struct decoder *,
	    struct frame *);

#endif
