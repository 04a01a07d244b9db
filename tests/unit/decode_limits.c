/* SPDX-License-Identifier: ISC */
/* Every limit of the contract, just inside and just outside. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_bytes.h"

Test(decode_limits, header_length_zero)
{
	struct bytes b = { 0 };

	bytes_prefix(&b, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_HDR_EMPTY);
	cr_assert_eq(decode_error_code(DECODE_HDR_EMPTY), ERR_BAD_FRAME);
	bytes_free(&b);
}

Test(decode_limits, header_length_65537_rejected_before_body)
{
	struct bytes b = { 0 };

	/* No body at all: the prefix alone must be refused. */
	bytes_prefix(&b, 65537);
	cr_assert_eq(decode_one_error(&b), DECODE_HDR_TOO_LONG);
	bytes_free(&b);
	bytes_prefix(&b, 0xffffffffu);
	cr_assert_eq(decode_one_error(&b), DECODE_HDR_TOO_LONG);
	bytes_free(&b);
}

/* A valid header padded with spaces to exactly n bytes. */
static char *
padded_header(size_t n)
{
	const char *base = "{\"type\":\"eof\"";
	char *h = malloc(n + 1);

	cr_assert_not_null(h);
	memset(h, ' ', n);
	memcpy(h, base, strlen(base));
	h[n - 1] = '}';
	h[n] = '\0';
	return h;
}

Test(decode_limits, header_length_65536_accepted)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	char *h = padded_header(65536);

	bytes_frame(&b, h, NULL, 0);
	decode_one_frame(&b, &d, &f);
	cr_assert_eq(f.type, FRAME_EOF);
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
	free(h);
}

Test(decode_limits, header_length_one)
{
	struct bytes b = { 0 };

	bytes_frame(&b, "1", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_NOT_OBJECT);
	bytes_free(&b);
	bytes_frame(&b, "{", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_BAD_JSON);
	bytes_free(&b);
}

static void
expect_payload_len(size_t len, int ok)
{
	struct bytes b = { 0 };
	char hdr[64];
	unsigned char *payload = calloc(1, len + 1);

	cr_assert_not_null(payload);
	snprintf(hdr, sizeof(hdr), "{\"type\": \"stdout\", \"len\": %zu}", len);
	bytes_frame(&b, hdr, payload, ok ? len : 0);
	if (ok) {
		struct decoder d;
		struct frame f;
		decode_one_frame(&b, &d, &f);
		cr_assert_eq(f.len, len);
		frame_clear(&f);
		decoder_free(&d);
	} else {
		cr_assert_eq(decode_one_error(&b), DECODE_LEN_TOO_BIG);
	}
	bytes_free(&b);
	free(payload);
}

Test(decode_limits, payload_1MiB_accepted_one_more_rejected)
{
	expect_payload_len(FRAME_PAYLOAD_MAX, 1);
	expect_payload_len(FRAME_PAYLOAD_MAX + 1, 0);
	expect_payload_len(0, 1);
}

Test(decode_limits, fast_path_len_limit)
{
	struct bytes b = { 0 };

	/* The fixed data header must not bypass the 1 MiB limit. */
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":1048577}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_LEN_TOO_BIG);
	bytes_free(&b);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":99999999999}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_LEN_TOO_BIG);
	bytes_free(&b);
}

Test(decode_limits, huge_len_values)
{
	struct bytes b = { 0 };

	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":-1}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_BAD_LEN);
	bytes_free(&b);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":1e3}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_BAD_LEN);
	bytes_free(&b);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":\"5\"}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_BAD_LEN);
	bytes_free(&b);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":"
	    "123456789012345678901234567890}", NULL, 0);
	cr_assert_eq(decode_one_error(&b), DECODE_BAD_JSON);
	bytes_free(&b);
}
