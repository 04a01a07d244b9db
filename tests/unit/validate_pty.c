/* SPDX-License-Identifier: ISC */
/* The interactive members of exec (pty, login), winsize and started. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_bytes.h"
#include "message.h"

#define EXEC(members)	"{\"type\":\"exec\",\"version\":1," members "}"

/* Decodes the header text hdr into *f (the caller clears f and d). */
static void
decode_text(const char *hdr, struct decoder *d, struct frame *f)
{
	struct bytes b = { 0 };

	bytes_frame(&b, hdr, NULL, 0);
	decode_one_frame(&b, d, f);
	bytes_free(&b);
}

/* Validates hdr as exec: ERR_NONE with *out filled, or the error code. */
static enum err_code
exec_code(const char *hdr, struct exec_req *out)
{
	struct decoder d;
	struct frame f;
	struct proto_error e = { 0 };
	struct exec_req tmp;
	int r;

	decode_text(hdr, &d, &f);
	r = msg_parse_exec(&f, out != NULL ? out : &tmp, &e);
	if (r == 0 && out == NULL)
		exec_req_free(&tmp);
	frame_clear(&f);
	decoder_free(&d);
	return r == 0 ? ERR_NONE : e.code;
}

/* Encodes hdr (consumed) and decodes it back into *f. */
static void
through_wire(json_t *hdr, struct decoder *d, struct frame *f)
{
	char *text;

	cr_assert_not_null(hdr);
	text = json_dumps(hdr, JSON_COMPACT);
	cr_assert_not_null(text);
	decode_text(text, d, f);
	free(text);
	json_decref(hdr);
}

Test(validate_pty, login_alone)
{
	struct exec_req r;

	cr_assert_eq(exec_code(EXEC("\"login\":true"), &r), ERR_NONE);
	cr_assert(r.login);
	cr_assert_null(r.cmd);
	cr_assert_null(r.argv);
	cr_assert_not(r.pty.on);
	exec_req_free(&r);
	/* false is as if absent: then a command is needed. */
	cr_assert_eq(exec_code(EXEC("\"login\":false,\"cmd\":\"x\""), &r),
	    ERR_NONE);
	cr_assert_not(r.login);
	exec_req_free(&r);
}

Test(validate_pty, login_excludes_commands)
{
	const char *bad[] = {
		EXEC("\"login\":true,\"cmd\":\"x\""),
		EXEC("\"login\":true,\"argv\":[\"x\"]"),
		EXEC("\"login\":false"),
		EXEC("\"login\":1"),
		EXEC("\"login\":\"yes\""),
		EXEC("\"login\":null"),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(exec_code(bad[i], NULL), ERR_BAD_REQUEST, "%s",
		    bad[i]);
}

Test(validate_pty, pty_members)
{
	struct exec_req r;

	cr_assert_eq(exec_code(EXEC("\"login\":true,\"pty\":{\"term\":"
	    "\"xterm-256color\",\"rows\":24,\"cols\":80,\"more\":1}"), &r),
	    ERR_NONE);
	cr_assert(r.pty.on);
	cr_assert_str_eq(r.pty.term, "xterm-256color");
	cr_assert_eq(r.pty.size.rows, 24);
	cr_assert_eq(r.pty.size.cols, 80);
	exec_req_free(&r);
	cr_assert_eq(exec_code(EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":1,"
	    "\"cols\":65535}"), &r), ERR_NONE);
	cr_assert(r.pty.on);
	cr_assert_null(r.pty.term);
	cr_assert_eq(r.pty.size.cols, 65535);
	exec_req_free(&r);
}

Test(validate_pty, pty_invalid)
{
	const char *bad[] = {
		EXEC("\"cmd\":\"x\",\"pty\":true"),
		EXEC("\"cmd\":\"x\",\"pty\":{}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":0,\"cols\":80}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24,\"cols\":65536}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24.5,\"cols\":80}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":\"24\",\"cols\":80}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24,\"cols\":80,"
		    "\"term\":7}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24,\"cols\":80,"
		    "\"term\":\"\"}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24,\"cols\":80,"
		    "\"term\":\"a b\"}"),
		EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":24,\"cols\":80,"
		    "\"term\":\"a\\nb\"}"),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(exec_code(bad[i], NULL), ERR_BAD_REQUEST, "%s",
		    bad[i]);
}

Test(validate_pty, term_length_limit)
{
	char hdr[512], term[PTY_TERM_MAX + 2];

	memset(term, 'x', sizeof(term) - 1);
	term[PTY_TERM_MAX] = '\0';
	snprintf(hdr, sizeof(hdr), EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":1,"
	    "\"cols\":1,\"term\":\"%s\"}"), term);
	cr_assert_eq(exec_code(hdr, NULL), ERR_NONE);
	term[PTY_TERM_MAX] = 'x';
	term[PTY_TERM_MAX + 1] = '\0';
	snprintf(hdr, sizeof(hdr), EXEC("\"cmd\":\"x\",\"pty\":{\"rows\":1,"
	    "\"cols\":1,\"term\":\"%s\"}"), term);
	cr_assert_eq(exec_code(hdr, NULL), ERR_BAD_REQUEST);
}

Test(validate_pty, exec_roundtrip)
{
	struct exec_req in = { .login = true, .stdin_open = true,
	    .pty = { .on = true, .term = "vt100", .size = { 50, 132 } } };
	struct exec_req out;
	struct proto_error e;
	struct decoder d;
	struct frame f;

	through_wire(msg_exec(&in), &d, &f);
	cr_assert_eq(msg_parse_exec(&f, &out, &e), 0, "%s", e.message);
	cr_assert(out.login);
	cr_assert(out.pty.on);
	cr_assert_str_eq(out.pty.term, "vt100");
	cr_assert_eq(out.pty.size.rows, 50);
	cr_assert_eq(out.pty.size.cols, 132);
	exec_req_free(&out);
	frame_clear(&f);
	decoder_free(&d);
}

static int
winsize_of(const char *hdr, struct winsize_req *w)
{
	struct proto_error e;
	struct decoder d;
	struct frame f;
	int r;

	decode_text(hdr, &d, &f);
	r = msg_parse_winsize(&f, w, &e);
	if (r == -1)
		cr_assert_eq(e.code, ERR_BAD_REQUEST);
	frame_clear(&f);
	decoder_free(&d);
	return r;
}

Test(validate_pty, winsize_frames)
{
	struct winsize_req w;

	cr_assert_eq(winsize_of("{\"type\":\"winsize\",\"rows\":40,"
	    "\"cols\":100}", &w), 0);
	cr_assert_eq(w.rows, 40);
	cr_assert_eq(w.cols, 100);
	cr_assert_eq(winsize_of("{\"type\":\"winsize\",\"rows\":40}", &w), -1);
	cr_assert_eq(winsize_of("{\"type\":\"winsize\",\"rows\":0,"
	    "\"cols\":1}", &w), -1);
	cr_assert_eq(winsize_of("{\"type\":\"winsize\",\"rows\":1,"
	    "\"cols\":70000}", &w), -1);
	cr_assert_eq(winsize_of("{\"type\":\"winsize\",\"rows\":-3,"
	    "\"cols\":1}", &w), -1);
	cr_assert_eq(winsize_of("{\"type\":\"eof\"}", &w), -1);
}

Test(validate_pty, winsize_and_started_roundtrip)
{
	struct winsize_req w = { 65535, 1 }, back;
	struct proto_error e;
	struct decoder d;
	struct frame f;
	pid_t pid;

	through_wire(msg_winsize(&w), &d, &f);
	cr_assert_eq(f.type, FRAME_WINSIZE);
	cr_assert_eq(msg_parse_winsize(&f, &back, &e), 0);
	cr_assert_eq(back.rows, 65535);
	cr_assert_eq(back.cols, 1);
	frame_clear(&f);
	decoder_free(&d);

	through_wire(msg_started(77, true), &d, &f);
	cr_assert_eq(msg_parse_started(&f, &pid, &e), 0);
	cr_assert_eq(pid, 77);
	cr_assert(msg_started_pty(&f));
	frame_clear(&f);
	decoder_free(&d);

	through_wire(msg_started(78, false), &d, &f);
	cr_assert_not(msg_started_pty(&f));
	cr_assert_null(json_object_get(f.hdr, "pty"));
	frame_clear(&f);
	decoder_free(&d);
}
