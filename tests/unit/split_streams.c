/* SPDX-License-Identifier: ISC */
/*
 * The same byte stream fed at every split point, byte by byte, and at
 * seeded random points must give the same frames.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "encode.h"
#include "frame_bytes.h"
#include "message.h"

struct expect {
	enum frame_type	 type;
	size_t		 len;
	unsigned char	 first, last;
};

static void
add_data(struct bytes *b, enum frame_type t, size_t len, unsigned seed)
{
	unsigned char head[FRAME_OUT_INLINE];
	unsigned char *p = malloc(len + 1);

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7);
	bytes_add(b, head, frame_data_head(head, sizeof(head), t, len));
	bytes_add(b, p, len);
	free(p);
}

/* A small stream with every frame type. */
static size_t
small_stream(struct bytes *b, struct expect *ex)
{
	size_t n = 0;

	bytes_frame(b, "{\"type\":\"exec\",\"version\":1,\"cmd\":\"true\"}",
	    NULL, 0);
	ex[n++] = (struct expect){ FRAME_EXEC, 0, 0, 0 };
	add_data(b, FRAME_STDIN, 5, 1);
	ex[n++] = (struct expect){ FRAME_STDIN, 5, 1, 1 + 4 * 7 };
	bytes_frame(b, "{\"type\":\"signal\",\"signal\":\"INT\"}", NULL, 0);
	ex[n++] = (struct expect){ FRAME_SIGNAL, 0, 0, 0 };
	add_data(b, FRAME_EOF, 0, 0);
	ex[n++] = (struct expect){ FRAME_EOF, 0, 0, 0 };
	bytes_frame(b, "{\"type\":\"started\",\"pid\":7}", NULL, 0);
	ex[n++] = (struct expect){ FRAME_STARTED, 0, 0, 0 };
	add_data(b, FRAME_STDOUT, 3, 200);
	ex[n++] = (struct expect){ FRAME_STDOUT, 3, 200, 214 };
	bytes_frame(b, "{\"type\":\"stderr\",\"len\":2}", "\0\xff", 2);
	ex[n++] = (struct expect){ FRAME_STDERR, 2, 0, 0xff };
	bytes_frame(b, "{\"type\":\"exit\",\"code\":0}", NULL, 0);
	ex[n++] = (struct expect){ FRAME_EXIT, 0, 0, 0 };
	bytes_frame(b, "{\"type\":\"error\",\"code\":\"internal\"}", NULL, 0);
	ex[n++] = (struct expect){ FRAME_ERROR, 0, 0, 0 };
	return n;
}

static void
check_frame(const struct frame *f, const struct expect *e)
{
	cr_assert_eq(f->type, e->type);
	cr_assert_eq(f->len, e->len);
	if (e->len > 0) {
		cr_assert_eq(f->payload[0], e->first);
		cr_assert_eq(f->payload[e->len - 1], e->last);
	}
}

/* Feeds b in pieces whose sizes come from next_size; returns frames seen. */
static size_t
feed_in_pieces(const struct bytes *b, const struct expect *ex, size_t nex,
    size_t (*next_size)(void *), void *arg)
{
	struct decoder d;
	struct frame f;
	size_t off = 0, seen = 0;

	decoder_init(&d);
	while (off < b->len) {
		size_t n = next_size(arg);
		if (n > b->len - off)
			n = b->len - off;
		cr_assert_eq(decoder_feed(&d, b->data + off, n), 0);
		off += n;
		while (decoder_next(&d, &f) == 1) {
			cr_assert_lt(seen, nex);
			check_frame(&f, &ex[seen++]);
			frame_clear(&f);
		}
		cr_assert_eq(decoder_error(&d), DECODE_OK);
	}
	cr_assert_eq(decoder_pending(&d), 0);
	decoder_free(&d);
	return seen;
}

struct split_at {
	size_t	first, calls;
};

static size_t
split_once(void *arg)
{
	struct split_at *s = arg;
	return s->calls++ == 0 ? s->first : SIZE_MAX;
}

static size_t
one_byte(void *arg)
{
	(void)arg;
	return 1;
}

Test(split_streams, every_split_point)
{
	struct bytes b = { 0 };
	struct expect ex[16];
	size_t n = small_stream(&b, ex);

	for (size_t at = 0; at <= b.len; at++) {
		struct split_at s = { at, 0 };
		cr_assert_eq(feed_in_pieces(&b, ex, n, split_once, &s), n,
		    "split at %zu", at);
	}
	bytes_free(&b);
}

Test(split_streams, byte_by_byte)
{
	struct bytes b = { 0 };
	struct expect ex[16];
	size_t n = small_stream(&b, ex);

	cr_assert_eq(feed_in_pieces(&b, ex, n, one_byte, NULL), n);
	bytes_free(&b);
}

static size_t
random_size(void *arg)
{
	unsigned *seed = arg;
	/* Mostly small pieces, sometimes large ones. */
	return rand_r(seed) % 4 == 0 ? (size_t)(rand_r(seed) % 3000000) :
	    (size_t)(rand_r(seed) % 700) + 1;
}

Test(split_streams, seeded_random_long_stream, .timeout = 120)
{
	struct bytes b = { 0 };
	struct expect *ex = calloc(2000, sizeof(*ex));
	unsigned seed = 20261125, gen = 7;
	size_t n = 0;

	for (; n < 2000; n++) {
		enum frame_type t = n % 3 == 0 ? FRAME_STDOUT :
		    n % 3 == 1 ? FRAME_STDERR : FRAME_STDIN;
		size_t len = (size_t)rand_r(&gen) % (n % 50 == 0 ?
		    FRAME_PAYLOAD_MAX + 1 : 5000);
		unsigned s = (unsigned)rand_r(&gen);
		add_data(&b, t, len, s);
		ex[n] = (struct expect){ t, len, (unsigned char)s,
		    (unsigned char)(s + (len ? len - 1 : 0) * 7) };
	}
	cr_assert_eq(feed_in_pieces(&b, ex, n, random_size, &seed), n);
	/* And a second seed for another set of split points. */
	seed = 42;
	cr_assert_eq(feed_in_pieces(&b, ex, n, random_size, &seed), n);
	free(ex);
	bytes_free(&b);
}

Test(split_streams, error_after_good_frames)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;

	bytes_frame(&b, "{\"type\":\"eof\"}", NULL, 0);
	bytes_prefix(&b, 0);
	decoder_init(&d);
	decoder_feed(&d, b.data, b.len);
	cr_assert_eq(decoder_next(&d, &f), 1);
	cr_assert_eq(decoder_next(&d, &f), -1);
	cr_assert_eq(decoder_error(&d), DECODE_HDR_EMPTY);
	decoder_free(&d);
	bytes_free(&b);
}
