/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define DECODER_INITIAL_CAP	(64 * 1024)
/* Enough for the largest legal frame plus one large read behind it. */
#define DECODER_READ_CAP	(FRAME_PREFIX_LEN + FRAME_HDR_MAX + \
				 FRAME_PAYLOAD_MAX + FRAME_DATA_CHUNK)
#define JSON_DECODE_FLAGS	(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

static const char *const error_strings[DECODE_ERROR_COUNT] = {
	[DECODE_OK] = "no error",
	[DECODE_HDR_EMPTY] = "header length is zero",
	[DECODE_HDR_TOO_LONG] = "header length exceeds 65536",
	[DECODE_BAD_JSON] = "header is not valid JSON",
	[DECODE_NOT_OBJECT] = "header is not a JSON object",
	[DECODE_NO_TYPE] = "header has no \"type\"",
	[DECODE_TYPE_NOT_STRING] = "header \"type\" is not a string",
	[DECODE_UNKNOWN_TYPE] = "unknown frame type",
	[DECODE_BAD_LEN] = "header \"len\" is not a non-negative integer",
	[DECODE_LEN_TOO_BIG] = "header \"len\" exceeds 1048576",
};

void
decoder_init(struct decoder *d)
{
	memset(d, 0, sizeof(*d));
}

void
decoder_free(struct decoder *d)
{
	if (d->hdr != NULL)
		json_decref(d->hdr);
	free(d->buf);
	decoder_init(d);
}

static int
decoder_reserve(struct decoder *d, size_t room)
{
	size_t pending = d->end - d->start;
	size_t cap;
	unsigned char *nbuf;

	if (d->cap - d->end >= room)
		return 0;
	if (d->start > 0) {
		memmove(d->buf, d->buf + d->start, pending);
		d->start = 0;
		d->end = pending;
		if (d->cap - d->end >= room)
			return 0;
	}
	cap = d->cap ? d->cap : DECODER_INITIAL_CAP;
	while (cap - pending < room)
		cap *= 2;
	if ((nbuf = realloc(d->buf, cap)) == NULL)
		return -1;
	d->buf = nbuf;
	d->cap = cap;
	return 0;
}

int
decoder_feed(struct decoder *d, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (decoder_reserve(d, n) == -1)
		return -1;
	memcpy(d->buf + d->end, data, n);
	d->end += n;
	return 0;
}

/* Room for at least one large read, the rest of the current frame if more. */
void *
decoder_space(struct decoder *d, size_t *room)
{
	size_t want = FRAME_DATA_CHUNK;
	size_t frame_end = FRAME_PREFIX_LEN + d->hdr_len + d->len;
	size_t pending = d->end - d->start;

	if (d->have_head && frame_end > pending && frame_end - pending > want)
		want = frame_end - pending;
	if (want > DECODER_READ_CAP)
		want = DECODER_READ_CAP;
	if (decoder_reserve(d, want) == -1)
		return NULL;
	*room = d->cap - d->end;
	return d->buf + d->end;
}

void
decoder_commit(struct decoder *d, size_t n)
{
	d->end += n;
}

size_t
decoder_pending(const struct decoder *d)
{
	return d->end - d->start;
}

enum decode_error
decoder_error(const struct decoder *d)
{
	return d->error;
}

static int
set_error(struct decoder *d, enum decode_error e)
{
	d->error = e;
	return -1;
}

static uint32_t
get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int
match(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/*
 * The fixed data-frame header our encoder writes, {"type":"stdout",
 * "len":N} without spaces, is recognised without a JSON parse.  Anything
 * else, however valid, goes to jansson.
 */
static int
parse_fast(struct decoder *d, const char *p, size_t n)
{
	static const enum frame_type fast[] = {
		FRAME_STDIN, FRAME_STDOUT, FRAME_STDERR, FRAME_EOF
	};
	const char *end = p + n;
	size_t len = 0;
	int digits = 0, i;

	if (!match(&p, end, "{\"type\":\""))
		return 0;
	for (i = 0; i < 4; i++) {
		const char *q = p;
		if (match(&q, end, frame_type_name(fast[i])) &&
		    match(&q, end, "\"")) {
			p = q;
			break;
		}
	}
	if (i == 4)
		return 0;
	if (match(&p, end, ",\"len\":")) {
		if (p < end && *p == '0' && p + 1 < end && p[1] != '}')
			return 0;
		for (; p < end && *p >= '0' && *p <= '9' && digits < 8;
		    p++, digits++)
			len = len * 10 + (size_t)(*p - '0');
		if (digits == 0 || len > FRAME_PAYLOAD_MAX)
			return 0;
	}
	if (p + 1 != end || *p != '}')
		return 0;
	d->type = fast[i];
	d->len = len;
	d->hdr = NULL;
	return 1;
}

static int
check_type(struct decoder *d, json_t *hdr)
{
	json_t *type;

	if (!json_is_object(hdr))
		return set_error(d, DECODE_NOT_OBJECT);
	if ((type = json_object_get(hdr, "type")) == NULL)
		return set_error(d, DECODE_NO_TYPE);
	if (!json_is_string(type))
		return set_error(d, DECODE_TYPE_NOT_STRING);
	if (frame_type_from_name(json_string_value(type), &d->type) == -1) {
		snprintf(d->detail, sizeof(d->detail), "\"%.100s\"",
		    json_string_value(type));
		return set_error(d, DECODE_UNKNOWN_TYPE);
	}
	return 0;
}

static int
check_len(struct decoder *d, json_t *hdr)
{
	json_t *len = json_object_get(hdr, "len");
	json_int_t v;

	d->len = 0;
	if (len == NULL)
		return 0;
	if (!json_is_integer(len) || (v = json_integer_value(len)) < 0)
		return set_error(d, DECODE_BAD_LEN);
	if (v > FRAME_PAYLOAD_MAX) {
		snprintf(d->detail, sizeof(d->detail), "%lld", (long long)v);
		return set_error(d, DECODE_LEN_TOO_BIG);
	}
	d->len = (size_t)v;
	return 0;
}

static int
parse_json(struct decoder *d, const char *p, size_t n)
{
	json_error_t jerr;
	json_t *hdr = json_loadb(p, n, JSON_DECODE_FLAGS, &jerr);

	if (hdr == NULL) {
		snprintf(d->detail, sizeof(d->detail), "%.100s at byte %d",
		    jerr.text, jerr.position);
		return set_error(d, DECODE_BAD_JSON);
	}
	if (check_type(d, hdr) == -1 || check_len(d, hdr) == -1) {
		json_decref(hdr);
		return -1;
	}
	d->hdr = hdr;
	return 0;
}

/* 1: the header is parsed; 0: more bytes needed; -1: protocol error. */
static int
parse_head(struct decoder *d)
{
	size_t avail = d->end - d->start;
	const unsigned char *p = d->buf + d->start;
	uint32_t h;

	if (d->have_head)
		return 1;
	if (avail < FRAME_PREFIX_LEN)
		return 0;
	h = get_be32(p);
	if (h == 0)
		return set_error(d, DECODE_HDR_EMPTY);
	if (h > FRAME_HDR_MAX) {
		snprintf(d->detail, sizeof(d->detail), "%lu",
		    (unsigned long)h);
		return set_error(d, DECODE_HDR_TOO_LONG);
	}
	if (avail < FRAME_PREFIX_LEN + h)
		return 0;
	p += FRAME_PREFIX_LEN;
	if (!parse_fast(d, (const char *)p, h) &&
	    parse_json(d, (const char *)p, h) == -1)
		return -1;
	d->hdr_len = h;
	d->have_head = 1;
	return 1;
}

int
decoder_next(struct decoder *d, struct frame *f)
{
	size_t total;
	int r;

	if (d->error != DECODE_OK)
		return -1;
	if ((r = parse_head(d)) != 1)
		return r;
	total = FRAME_PREFIX_LEN + d->hdr_len + d->len;
	if (d->end - d->start < total)
		return 0;
	f->type = d->type;
	f->hdr = d->hdr;
	f->payload = d->buf + d->start + FRAME_PREFIX_LEN + d->hdr_len;
	f->len = d->len;
	d->start += total;
	d->hdr = NULL;
	d->have_head = 0;
	d->hdr_len = d->len = 0;
	return 1;
}

const char *
decode_error_string(enum decode_error e)
{
	if ((unsigned)e >= DECODE_ERROR_COUNT)
		return "unknown decoder error";
	return error_strings[e];
}

enum err_code
decode_error_code(enum decode_error e)
{
	return e == DECODE_UNKNOWN_TYPE ? ERR_BAD_REQUEST : ERR_BAD_FRAME;
}

void
decoder_describe_error(const struct decoder *d, struct proto_error *e)
{
	if (d->detail[0] != '\0')
		proto_error_set(e, decode_error_code(d->error), "%s: %s",
		    decode_error_string(d->error), d->detail);
	else
		proto_error_set(e, decode_error_code(d->error), "%s",
		    decode_error_string(d->error));
}
