/* SPDX-License-Identifier: ISC */
/* The connect request: what is valid, and the builder read back. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "connectmsg.h"
#include "frame_bytes.h"
#include "message.h"

#define CONNECT(members) "{\"type\":\"connect\",\"version\":1," members "}"

/* Validates hdr: ERR_NONE with *out filled (to free), or the code. */
static enum err_code
connect_code(const char *hdr, struct connect_req *out)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error e = { 0 };
	struct connect_req tmp;
	int r;

	bytes_frame(&b, hdr, NULL, 0);
	decode_one_frame(&b, &d, &f);
	bytes_free(&b);
	r = msg_parse_connect(&f, out != NULL ? out : &tmp, &e);
	if (r == 0 && out == NULL)
		connect_req_free(&tmp);
	frame_clear(&f);
	decoder_free(&d);
	return r == 0 ? ERR_NONE : e.code;
}

Test(validate_connect, minimal_and_full)
{
	struct connect_req r;

	cr_assert_eq(connect_code(CONNECT("\"host\":\"::1\",\"port\":22"),
	    &r), ERR_NONE);
	cr_assert_str_eq(r.host, "::1");
	cr_assert_eq(r.port, 22);
	cr_assert_null(r.token);
	cr_assert_null(r.user);
	connect_req_free(&r);
	cr_assert_eq(connect_code(CONNECT("\"host\":\"db.example\","
	    "\"port\":65535,\"token\":\"t\",\"user\":\"u\",\"munge\":\"m\","
	    "\"future\":1"), &r), ERR_NONE);
	cr_assert_str_eq(r.token, "t");
	cr_assert_str_eq(r.user, "u");
	cr_assert_str_eq(r.munge, "m");
	connect_req_free(&r);
}

Test(validate_connect, bad)
{
	static const char *const bad[] = {
		CONNECT("\"port\":22"),
		CONNECT("\"host\":\"h\""),
		CONNECT("\"host\":\"h\",\"port\":0"),
		CONNECT("\"host\":\"h\",\"port\":65536"),
		CONNECT("\"host\":\"h\",\"port\":22.5"),
		CONNECT("\"host\":\"h\",\"port\":\"22\""),
		CONNECT("\"host\":\"\",\"port\":22"),
		CONNECT("\"host\":\"a\\nb\",\"port\":22"),
		CONNECT("\"host\":\"caf\\u00e9\",\"port\":22"),
		CONNECT("\"host\":[],\"port\":22"),
		CONNECT("\"host\":\"h\",\"port\":22,\"token\":1"),
		CONNECT("\"host\":\"h\",\"port\":22,\"user\":\"\""),
		"{\"type\":\"connect\",\"host\":\"h\",\"port\":22}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(connect_code(bad[i], NULL), ERR_BAD_REQUEST, "%s",
		    bad[i]);
	cr_assert_eq(connect_code("{\"type\":\"connect\",\"version\":2,"
	    "\"host\":\"h\",\"port\":22}", NULL), ERR_VERSION);
}

Test(validate_connect, host_at_most_255)
{
	char hdr[600], host[300];

	memset(host, 'a', 256);
	host[256] = '\0';
	snprintf(hdr, sizeof(hdr), CONNECT("\"host\":\"%s\",\"port\":1"), host);
	cr_assert_eq(connect_code(hdr, NULL), ERR_BAD_REQUEST);
	host[255] = '\0';
	snprintf(hdr, sizeof(hdr), CONNECT("\"host\":\"%s\",\"port\":1"), host);
	cr_assert_eq(connect_code(hdr, NULL), ERR_NONE);
}

Test(validate_connect, built_then_read_back)
{
	struct connect_req in = { .host = "10.0.0.1", .port = 8888,
	    .token = "tok", .token_len = 3, .user = "alice" }, out;
	json_t *h = msg_connect(&in);
	char *text;

	cr_assert_not_null(h);
	text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	cr_assert_eq(connect_code(text, &out), ERR_NONE, "%s", text);
	cr_assert_str_eq(out.host, "10.0.0.1");
	cr_assert_eq(out.port, 8888);
	cr_assert_str_eq(out.token, "tok");
	cr_assert_str_eq(out.user, "alice");
	cr_assert_null(out.munge);
	connect_req_free(&out);
	free(text);
}

/* The error code has its name, both ways. */
Test(validate_connect, error_code_connect)
{
	enum err_code c;

	cr_assert_eq(err_code_from_name("connect", &c), 0);
	cr_assert_eq(c, ERR_CONNECT);
	cr_assert_str_eq(err_code_name(ERR_CONNECT), "connect");
}

/* The credential is bounded as exec's (they share the parser). */
Test(validate_connect, munge_bounded_as_exec)
{
	size_t n = EXEC_MUNGE_MAX + 1;
	char *cred = malloc(n + 1), *hdr = malloc(n + 128);

	cr_assert(cred != NULL && hdr != NULL);
	memset(cred, 'm', n);
	cred[n] = '\0';
	sprintf(hdr, CONNECT("\"host\":\"h\",\"port\":1,\"munge\":\"%s\""), cred);
	cr_assert_eq(connect_code(hdr, NULL), ERR_BAD_REQUEST);
	cred[n - 1] = '\0';
	sprintf(hdr, CONNECT("\"host\":\"h\",\"port\":1,\"munge\":\"%s\""), cred);
	cr_assert_eq(connect_code(hdr, NULL), ERR_NONE);
	cr_assert_eq(connect_code(CONNECT("\"host\":\"h\",\"port\":1,"
	    "\"munge\":\"\""), NULL), ERR_BAD_REQUEST);
	free(cred);
	free(hdr);
}
