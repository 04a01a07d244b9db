/* SPDX-License-Identifier: ISC */
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"

#define JSON_FLAGS	(JSON_COMPACT | JSON_ENSURE_ASCII)

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

size_t
frame_data_head(unsigned char *dst, size_t dstlen, enum frame_type type,
    size_t len)
{
	int n;

	if (len == 0)
		n = snprintf((char *)dst + FRAME_PREFIX_LEN,
		    dstlen - FRAME_PREFIX_LEN, "{\"type\":\"%s\"}",
		    frame_type_name(type));
	else
		n = snprintf((char *)dst + FRAME_PREFIX_LEN,
		    dstlen - FRAME_PREFIX_LEN, "{\"type\":\"%s\",\"len\":%zu}",
		    frame_type_name(type), len);
	put_be32(dst, (uint32_t)n);
	return FRAME_PREFIX_LEN + (size_t)n;
}

static void
frame_out_start(struct frame_out *o, const void *payload, size_t len)
{
	o->payload = payload;
	o->len = len;
	o->sent = 0;
}

void
frame_out_data(struct frame_out *o, enum frame_type type,
    const void *payload, size_t len)
{
	o->head = o->inline_head;
	o->head_len = frame_data_head(o->inline_head,
	    sizeof(o->inline_head), type, len);
	frame_out_start(o, payload, len);
}

int
frame_out_json(struct frame_out *o, json_t *hdr, const void *payload,
    size_t len)
{
	size_t n;

	o->head = NULL;
	if (len > FRAME_PAYLOAD_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (len > 0 && json_object_set_new(hdr, "len",
	    json_integer((json_int_t)len)) == -1) {
		errno = ENOMEM;
		return -1;
	}
	n = json_dumpb(hdr, NULL, 0, JSON_FLAGS);
	if (n == 0 || n > FRAME_HDR_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if ((o->head = malloc(FRAME_PREFIX_LEN + n)) == NULL)
		return -1;
	json_dumpb(hdr, (char *)o->head + FRAME_PREFIX_LEN, n, JSON_FLAGS);
	put_be32(o->head, (uint32_t)n);
	o->head_len = FRAME_PREFIX_LEN + n;
	frame_out_start(o, payload, len);
	return 0;
}

static int
frame_out_done(const struct frame_out *o)
{
	return o->head == NULL || o->sent == o->head_len + o->len;
}

int
frame_out_iov(const struct frame_out *o, struct iovec iov[2])
{
	int cnt = 0;

	if (frame_out_done(o))
		return 0;
	if (o->sent < o->head_len) {
		iov[cnt].iov_base = o->head + o->sent;
		iov[cnt++].iov_len = o->head_len - o->sent;
	}
	if (o->len > 0) {
		size_t off = o->sent > o->head_len ? o->sent - o->head_len : 0;

		iov[cnt].iov_base = (char *)(uintptr_t)o->payload + off;
		iov[cnt++].iov_len = o->len - off;
	}
	return cnt;
}

void
frame_out_advance(struct frame_out *o, size_t n)
{
	o->sent += n;
}

void
frame_out_release(struct frame_out *o)
{
	if (o->head != NULL && o->head != o->inline_head)
		free(o->head);
	o->head = NULL;
	o->head_len = o->len = o->sent = 0;
	o->payload = NULL;
}
