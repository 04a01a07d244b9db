/* SPDX-License-Identifier: ISC */
/* Malformed headers: each violation is a distinct, named error. */
#include <string.h>

#include <criterion/criterion.h>

#include "frame_bytes.h"

static enum decode_error
error_of(const char *hdr, size_t hlen)
{
	struct bytes b = { 0 };
	enum decode_error e;

	bytes_prefix(&b, (uint32_t)hlen);
	bytes_add(&b, hdr, hlen);
	e = decode_one_error(&b);
	bytes_free(&b);
	return e;
}

#define ERR_OF(s)	error_of((s), sizeof(s) - 1)

Test(decode_malformed, invalid_json)
{
	cr_assert_eq(ERR_OF("not json"), DECODE_BAD_JSON);
	cr_assert_eq(ERR_OF("{\"type\":\"eof\""), DECODE_BAD_JSON);
	cr_assert_eq(ERR_OF("{\"type\":\"eof\"} {}"), DECODE_BAD_JSON);
	cr_assert_eq(ERR_OF("{\"type\":\"eof\",}"), DECODE_BAD_JSON);
}

Test(decode_malformed, invalid_utf8)
{
	cr_assert_eq(ERR_OF("{\"type\":\"eof\",\"x\":\"\xff\xfe\"}"),
	    DECODE_BAD_JSON);
	cr_assert_eq(ERR_OF("{\"type\":\"eof\",\"x\":\"\xc3\"}"),
	    DECODE_BAD_JSON);
}

Test(decode_malformed, nul_inside_header)
{
	cr_assert_eq(ERR_OF("{\"type\":\"eof\"}\0"), DECODE_BAD_JSON);
	cr_assert_eq(ERR_OF("{\"type\":\"e\\u0000of\"}"), DECODE_BAD_JSON);
}

Test(decode_malformed, duplicate_members)
{
	cr_assert_eq(ERR_OF("{\"type\":\"eof\",\"type\":\"exec\"}"),
	    DECODE_BAD_JSON);
}

Test(decode_malformed, not_an_object)
{
	cr_assert_eq(ERR_OF("[\"type\",\"eof\"]"), DECODE_NOT_OBJECT);
	cr_assert_eq(ERR_OF("[]"), DECODE_NOT_OBJECT);
}

Test(decode_malformed, type_missing_or_not_string)
{
	cr_assert_eq(ERR_OF("{}"), DECODE_NO_TYPE);
	cr_assert_eq(ERR_OF("{\"len\":0}"), DECODE_NO_TYPE);
	cr_assert_eq(ERR_OF("{\"type\":1}"), DECODE_TYPE_NOT_STRING);
	cr_assert_eq(ERR_OF("{\"type\":null}"), DECODE_TYPE_NOT_STRING);
	cr_assert_eq(ERR_OF("{\"type\":[\"exec\"]}"), DECODE_TYPE_NOT_STRING);
}

Test(decode_malformed, unknown_type)
{
	cr_assert_eq(ERR_OF("{\"type\":\"shell\"}"), DECODE_UNKNOWN_TYPE);
	cr_assert_eq(ERR_OF("{\"type\":\"EXEC\"}"), DECODE_UNKNOWN_TYPE);
	cr_assert_eq(ERR_OF("{\"type\":\"\"}"), DECODE_UNKNOWN_TYPE);
	cr_assert_eq(decode_error_code(DECODE_UNKNOWN_TYPE), ERR_BAD_REQUEST);
}

Test(decode_malformed, fast_path_lookalikes_use_the_parser)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;

	/* Leading zero: not JSON, so not a frame. */
	cr_assert_eq(ERR_OF("{\"type\":\"stdin\",\"len\":01}"),
	    DECODE_BAD_JSON);
	/* Spaced and reordered forms are valid JSON and decode the same. */
	bytes_frame(&b, "{ \"len\" : 3 , \"type\" : \"stdin\" }", "abc", 3);
	decode_one_frame(&b, &d, &f);
	cr_assert_eq(f.type, FRAME_STDIN);
	cr_assert_eq(f.len, 3);
	cr_assert_not_null(f.hdr);
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
}

Test(decode_malformed, messages_are_distinct_and_named)
{
	for (int i = 1; i < DECODE_ERROR_COUNT; i++) {
		for (int j = i + 1; j < DECODE_ERROR_COUNT; j++)
			cr_assert_str_neq(decode_error_string(i),
			    decode_error_string(j));
	}
}

Test(decode_malformed, describe_error_carries_detail)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error e;

	bytes_frame(&b, "{\"type\":\"bogus\"}", NULL, 0);
	decoder_init(&d);
	decoder_feed(&d, b.data, b.len);
	cr_assert_eq(decoder_next(&d, &f), -1);
	decoder_describe_error(&d, &e);
	cr_assert_eq(e.code, ERR_BAD_REQUEST);
	cr_assert(strstr(e.message, "bogus") != NULL, "%s", e.message);
	decoder_free(&d);
	bytes_free(&b);
}

Test(decode_malformed, unknown_members_ignored)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;

	bytes_frame(&b, "{\"type\":\"eof\",\"future\":{\"x\":[1,2]},"
	    "\"z\":null}", NULL, 0);
	decode_one_frame(&b, &d, &f);
	cr_assert_eq(f.type, FRAME_EOF);
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
}
