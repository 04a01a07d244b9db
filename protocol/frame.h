/* SPDX-License-Identifier: ISC */
/*
 * Frames of the rexec wire protocol (see man/rexec-protocol.7):
 * a 4-byte big-endian header length H, H bytes of JSON object, then the
 * header's "len" bytes of raw payload.
 */
#ifndef REXEC_FRAME_H
#define REXEC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PROTOCOL_VERSION	1
#define FRAME_PREFIX_LEN	4
#define FRAME_HDR_MAX		65536
#define FRAME_PAYLOAD_MAX	1048576
/* Data frames are cut at this size: large enough to amortise a syscall. */
#define FRAME_DATA_CHUNK	(256 * 1024)

enum frame_type {
	FRAME_EXEC,
	FRAME_STDIN,
	FRAME_EOF,
	FRAME_SIGNAL,
	FRAME_STARTED,
	FRAME_STDOUT,
	FRAME_STDERR,
	FRAME_EXIT,
	FRAME_ERROR,
	FRAME_STATUS,		/* both ways: the request, the answer */
	FRAME_WINSIZE,
	FRAME_CONNECT,
	FRAME_TYPE_COUNT
};

/*
 * A decoded frame.  hdr is NULL for data frames (stdin/stdout/stderr/eof)
 * recognised by the decoder's fast path; otherwise it is the parsed header,
 * owned by the frame.  payload points into the decoder's buffer and stays
 * valid until the next call on that decoder.
 */
struct frame {
	enum frame_type		 type;
	json_t			*hdr;
	const unsigned char	*payload;
	size_t			 len;
};

const char	*frame_type_name(enum frame_type);
int		 frame_type_from_name(const char *, enum frame_type *);
void		 frame_clear(struct frame *);

#endif
