/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_bytes.h"

void
bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->data = realloc(b->data, b->cap);
		cr_assert_not_null(b->data);
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
bytes_prefix(struct bytes *b, uint32_t hlen)
{
	unsigned char p[4] = {
		(unsigned char)(hlen >> 24), (unsigned char)(hlen >> 16),
		(unsigned char)(hlen >> 8), (unsigned char)hlen
	};
	bytes_add(b, p, 4);
}

void
bytes_frame(struct bytes *b, const char *hdr, const void *payload,
    size_t len)
{
	bytes_prefix(b, (uint32_t)strlen(hdr));
	bytes_add(b, hdr, strlen(hdr));
	bytes_add(b, payload, len);
}

void
bytes_free(struct bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

enum decode_error
decode_one_error(const struct bytes *b)
{
	struct decoder d;
	struct frame f;
	enum decode_error e;

	decoder_init(&d);
	cr_assert_eq(decoder_feed(&d, b->data, b->len), 0);
	cr_assert_eq(decoder_next(&d, &f), -1, "expected a decode error");
	e = decoder_error(&d);
	cr_assert_eq(decoder_next(&d, &f), -1, "errors must be sticky");
	decoder_free(&d);
	return e;
}

void
decode_one_frame(const struct bytes *b, struct decoder *d, struct frame *f)
{
	struct frame extra;

	decoder_init(d);
	cr_assert_eq(decoder_feed(d, b->data, b->len), 0);
	cr_assert_eq(decoder_next(d, f), 1, "expected a frame, error %s",
	    decode_error_string(decoder_error(d)));
	cr_assert_eq(decoder_next(d, &extra), 0);
	cr_assert_eq(decoder_pending(d), 0);
}
