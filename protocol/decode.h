/* SPDX-License-Identifier: ISC */
/*
 * Incremental frame decoder.  Feed it whatever bytes arrived, in any
 * split, and take complete frames out.  Every limit of the contract is
 * checked as soon as the bytes that break it are seen, before anything
 * is allocated for them.
 */
#ifndef REXEC_DECODE_H
#define REXEC_DECODE_H

#include <stddef.h>
#include <sys/types.h>

#include "errcode.h"
#include "frame.h"

enum decode_error {
	DECODE_OK,
	DECODE_HDR_EMPTY,		/* H == 0 */
	DECODE_HDR_TOO_LONG,		/* H > 65536 */
	DECODE_BAD_JSON,		/* not JSON, or not UTF-8 */
	DECODE_NOT_OBJECT,
	DECODE_NO_TYPE,
	DECODE_TYPE_NOT_STRING,
	DECODE_UNKNOWN_TYPE,
	DECODE_BAD_LEN,			/* "len" not a non-negative integer */
	DECODE_LEN_TOO_BIG,		/* "len" > 1 MiB */
	DECODE_ERROR_COUNT
};

struct decoder {
	unsigned char	*buf;
	size_t		 cap;
	size_t		 start;		/* first unconsumed byte */
	size_t		 end;		/* one past the last byte fed */
	/* The current frame's header, once parsed, while its payload comes. */
	int		 have_head;
	enum frame_type	 type;
	json_t		*hdr;
	size_t		 hdr_len;
	size_t		 len;
	enum decode_error error;	/* sticky once set */
	char		 detail[192];	/* what exactly was wrong */
};

void	decoder_init(struct decoder *);
void	decoder_free(struct decoder *);

/* Copies n bytes in.  Returns 0, or -1 (ENOMEM). */
int	decoder_feed(struct decoder *, const void *, size_t);

/*
 * Room to read into directly, avoiding the copy of decoder_feed: returns
 * a pointer with *room >= 1 bytes free (or NULL on ENOMEM); the caller then
 * reports what it wrote with decoder_commit.
 */
void	*decoder_space(struct decoder *, size_t *room);
void	 decoder_commit(struct decoder *, size_t);

/*
 * Takes the next complete frame out: 1 and *f filled (release it with
 * frame_clear), 0 when more bytes are needed, -1 on a protocol error
 * (then decoder_error tells which; the decoder stays in error).
 * The payload stays valid until the next feed or space call.
 */
int	decoder_next(struct decoder *, struct frame *f);

/* Bytes fed and not yet returned as frames. */
size_t	decoder_pending(const struct decoder *);

enum decode_error decoder_error(const struct decoder *);
const char	*decode_error_string(enum decode_error);
/* The contract's code for a decode error (bad_frame or bad_request). */
enum err_code	 decode_error_code(enum decode_error);
/* Fills e with the code and a message naming the problem. */
void		 decoder_describe_error(const struct decoder *,
		    struct proto_error *e);

#endif
