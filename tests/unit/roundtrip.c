/* SPDX-License-Identifier: ISC */
/* Every frame type encoded by our builders decodes to the same values. */
#include <sys/uio.h>

#include <signal.h>
#include <string.h>
#include <stdint.h>

#include <criterion/criterion.h>

#include "decode.h"
#include "encode.h"
#include "message.h"

/* No socket: the encoder's bytes go straight into the decoder. */
struct pair {
	struct decoder	d;
};

static void
pair_open(struct pair *p)
{
	decoder_init(&p->d);
}

static void
pair_close(struct pair *p)
{
	decoder_free(&p->d);
}

/* Feeds what frame_out_iov offers, n bytes at a time, until it is done. */
static void
put_out(struct pair *p, struct frame_out *o, size_t n)
{
	struct iovec iov[2];
	int cnt, rounds = 0;

	while ((cnt = frame_out_iov(o, iov)) > 0) {
		size_t k = iov[0].iov_len < n ? iov[0].iov_len : n;

		cr_assert_lt(++rounds, 10000000);
		cr_assert_leq(cnt, 2);
		cr_assert_eq(decoder_feed(&p->d, iov[0].iov_base, k), 0);
		frame_out_advance(o, k);
	}
	frame_out_release(o);
}

static void
put_json(struct pair *p, json_t *hdr, const void *payload, size_t len)
{
	struct frame_out o;

	cr_assert_eq(frame_out_json(&o, hdr, payload, len), 0);
	put_out(p, &o, SIZE_MAX);
}

static void
put_msg(struct pair *p, json_t *hdr)
{
	cr_assert_not_null(hdr);
	put_json(p, hdr, NULL, 0);
	json_decref(hdr);
}

static void
put_data(struct pair *p, enum frame_type t, const void *payload, size_t len)
{
	struct frame_out o;

	frame_out_data(&o, t, payload, len);
	put_out(p, &o, SIZE_MAX);
}

/* One frame must be complete: everything was fed before. */
static void
pair_read(struct pair *p, struct frame *f)
{
	cr_assert_eq(decoder_next(&p->d, f), 1);
}

Test(roundtrip, exec_shell_mode)
{
	struct pair p;
	struct frame f;
	struct exec_req in = { .cmd = "ls -l | wc", .stdin_open = true };
	struct exec_req out;
	struct proto_error e;
	char *env[] = { "A=1", "B=x=y", "EMPTY=" };

	in.env = env;
	in.envc = 3;
	in.cwd = "/tmp";
	in.timeout = 2.5;
	in.token = "s3cret";
	in.token_len = 6;
	in.user = "deploy";
	pair_open(&p);
	put_msg(&p, msg_exec(&in));
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_exec(&f, &out, &e), 0, "%s", e.message);
	cr_assert_str_eq(out.cmd, "ls -l | wc");
	cr_assert_null(out.argv);
	cr_assert_eq(out.envc, 3);
	cr_assert_str_eq(out.env[1], "B=x=y");
	cr_assert_str_eq(out.env[2], "EMPTY=");
	cr_assert_str_eq(out.cwd, "/tmp");
	cr_assert_float_eq(out.timeout, 2.5, 1e-9);
	cr_assert(out.stdin_open);
	cr_assert_str_eq(out.token, "s3cret");
	cr_assert_str_eq(out.user, "deploy");
	exec_req_free(&out);
	frame_clear(&f);
	pair_close(&p);
}

Test(roundtrip, exec_argv_mode)
{
	struct pair p;
	struct frame f;
	char *argv[] = { "printf", "%s\\n", "a b", "$HOME", NULL };
	struct exec_req in = { .argv = argv, .argc = 4 };
	struct exec_req out;
	struct proto_error e;

	pair_open(&p);
	put_msg(&p, msg_exec(&in));
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_exec(&f, &out, &e), 0, "%s", e.message);
	cr_assert_null(out.cmd);
	cr_assert_eq(out.argc, 4);
	for (int i = 0; i < 4; i++)
		cr_assert_str_eq(out.argv[i], argv[i]);
	cr_assert_null(out.argv[4]);
	cr_assert_not(out.stdin_open);
	exec_req_free(&out);
	frame_clear(&f);
	pair_close(&p);
}

static void
data_roundtrip(enum frame_type t)
{
	struct pair p;
	struct frame f;
	unsigned char payload[1000];

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i % 3 == 0 ? 0 : 0xff - i % 7);
	pair_open(&p);
	put_data(&p, t, payload, sizeof(payload));
	pair_read(&p, &f);
	cr_assert_eq(f.type, t);
	cr_assert_null(f.hdr, "data frames take the fast path");
	cr_assert_eq(f.len, sizeof(payload));
	cr_assert_arr_eq(f.payload, payload, sizeof(payload));
	frame_clear(&f);
	pair_close(&p);
}

Test(roundtrip, data_frames_with_nul_and_ff)
{
	data_roundtrip(FRAME_STDIN);
	data_roundtrip(FRAME_STDOUT);
	data_roundtrip(FRAME_STDERR);
}

Test(roundtrip, eof)
{
	struct pair p;
	struct frame f;

	pair_open(&p);
	put_data(&p, FRAME_EOF, NULL, 0);
	pair_read(&p, &f);
	cr_assert_eq(f.type, FRAME_EOF);
	cr_assert_eq(f.len, 0);
	pair_close(&p);
}

Test(roundtrip, signal_started_exit_error)
{
	struct pair p;
	struct frame f;
	struct proto_error e, got;
	struct exit_status x = { .signal = SIGKILL, .timed_out = true,
	    .duration_ms = 1234 }, y;
	struct exit_status code = { .exited = true, .code = 42 };
	int signo;
	pid_t pid;

	pair_open(&p);
	put_msg(&p, msg_signal(SIGINT));
	put_msg(&p, msg_started(4321, false));
	put_msg(&p, msg_exit(&x));
	put_msg(&p, msg_exit(&code));
	put_msg(&p, msg_error(ERR_SPAWN, "no such dir"));

	pair_read(&p, &f);
	cr_assert_eq(msg_parse_signal(&f, &signo, &e), 0);
	cr_assert_eq(signo, SIGINT);
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_started(&f, &pid, &e), 0);
	cr_assert_eq(pid, 4321);
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_exit(&f, &y, &e), 0);
	cr_assert_not(y.exited);
	cr_assert_eq(y.signal, SIGKILL);
	cr_assert(y.timed_out);
	cr_assert_eq(y.duration_ms, 1234);
	cr_assert_str_eq(json_string_value(json_object_get(f.hdr, "signame")),
	    "KILL");
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_exit(&f, &y, &e), 0);
	cr_assert(y.exited);
	cr_assert_eq(y.code, 42);
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_error(&f, &got, &e), 0);
	cr_assert_eq(got.code, ERR_SPAWN);
	cr_assert_str_eq(got.message, "no such dir");
	frame_clear(&f);
	pair_close(&p);
}

Test(roundtrip, json_frame_with_payload)
{
	struct pair p;
	struct frame f;
	json_t *h = json_pack("{ss}", "type", "stdout");

	pair_open(&p);
	put_json(&p, h, "\0\xff", 2);
	json_decref(h);
	pair_read(&p, &f);
	cr_assert_eq(f.type, FRAME_STDOUT);
	cr_assert_eq(f.len, 2);
	cr_assert_eq(memcmp(f.payload, "\0\xff", 2), 0);
	frame_clear(&f);
	pair_close(&p);
}

Test(roundtrip, partial_send_resumes)
{
	struct pair p;
	struct frame_out o;
	static unsigned char big[FRAME_PAYLOAD_MAX];
	struct frame f;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 31);
	pair_open(&p);
	frame_out_data(&o, FRAME_STDOUT, big, sizeof(big));
	/* An odd step cuts the header and the payload anywhere. */
	put_out(&p, &o, 4093);
	pair_read(&p, &f);
	cr_assert_eq(f.len, sizeof(big));
	cr_assert_arr_eq(f.payload, big, sizeof(big));
	frame_clear(&f);
	pair_close(&p);
}

Test(roundtrip, oversized_header_refused_by_encoder)
{
	json_t *h = json_pack("{ss}", "type", "exec");
	char *s = malloc(FRAME_HDR_MAX + 1);
	struct frame_out o;

	memset(s, 'a', FRAME_HDR_MAX);
	s[FRAME_HDR_MAX] = '\0';
	json_object_set_new(h, "cmd", json_string(s));
	cr_assert_eq(frame_out_json(&o, h, NULL, 0), -1);
	cr_assert_eq(frame_out_json(&o, h, NULL, FRAME_PAYLOAD_MAX + 1), -1);
	json_decref(h);
	free(s);
}
