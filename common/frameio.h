/* SPDX-License-Identifier: ISC */
/*
 * Frames over a socket: the I/O around the pure codec of protocol/.
 * Everything here reads or writes a descriptor.
 */
#ifndef REXEC_FRAMEIO_H
#define REXEC_FRAMEIO_H

#include <sys/types.h>

#include <jansson.h>

#include "decode.h"
#include "encode.h"
#include "errcode.h"

/*
 * Reads once from fd into the decoder (read(2) semantics: >0 bytes,
 * 0 at EOF, -1 with errno; EINTR is retried).
 */
ssize_t	decoder_read(struct decoder *, int fd);

/*
 * Writes what remains of a frame.  Returns 1 when it is fully sent, 0
 * when the descriptor would block (non-blocking fd), -1 on error with
 * errno.
 */
int	frame_out_send(struct frame_out *, int fd);

/* Blocking senders: each waits with poll, for ever, until the frame is
 * out.  0 or -1. */
int	frame_write_json(int fd, json_t *hdr, const void *payload, size_t len);
int	frame_write_data(int fd, enum frame_type, const void *payload,
	    size_t len);
int	msg_send(int fd, json_t *hdr);	/* steals hdr */
int	msg_send_error(int fd, enum err_code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
