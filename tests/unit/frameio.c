/* SPDX-License-Identifier: ISC */
/* The I/O around the codec: frames through a real socket pair. */
#include <sys/socket.h>

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "decode.h"
#include "encode.h"
#include "fdio.h"
#include "frameio.h"
#include "message.h"

struct pair {
	int		w, r;
	struct decoder	d;
};

static void
pair_open(struct pair *p)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->w = sv[0];
	p->r = sv[1];
	decoder_init(&p->d);
}

static void
pair_close(struct pair *p)
{
	close(p->w);
	close(p->r);
	decoder_free(&p->d);
}

/* Reads until one frame is out (the writer already finished). */
static void
pair_read(struct pair *p, struct frame *f)
{
	int r;

	while ((r = decoder_next(&p->d, f)) == 0)
		cr_assert_gt(decoder_read(&p->d, p->r), 0);
	cr_assert_eq(r, 1);
}

Test(frameio, blocking_senders)
{
	struct pair p;
	struct frame f;
	struct proto_error e, got;
	int signo;

	pair_open(&p);
	cr_assert_eq(msg_send(p.w, msg_signal(SIGINT)), 0);
	cr_assert_eq(msg_send_error(p.w, ERR_SPAWN, "no such %s", "dir"), 0);
	cr_assert_eq(frame_write_data(p.w, FRAME_STDIN, "ab", 2), 0);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_signal(&f, &signo, &e), 0);
	cr_assert_eq(signo, SIGINT);
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(msg_parse_error(&f, &got, &e), 0);
	cr_assert_str_eq(got.message, "no such dir");
	frame_clear(&f);
	pair_read(&p, &f);
	cr_assert_eq(f.type, FRAME_STDIN);
	cr_assert_eq(memcmp(f.payload, "ab", 2), 0);
	frame_clear(&f);
	close(p.r);
	p.r = -1;
	cr_assert_eq(msg_send(p.w, msg_signal(SIGINT)), -1, "EPIPE, no death");
	pair_close(&p);
}

Test(frameio, partial_send_resumes)
{
	struct pair p;
	struct frame_out o;
	static unsigned char big[FRAME_PAYLOAD_MAX];
	struct frame f;
	int r, sndbuf = 4096;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 31);
	pair_open(&p);
	setsockopt(p.w, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	cr_assert_eq(set_nonblock(p.w, 1), 0);
	frame_out_data(&o, FRAME_STDOUT, big, sizeof(big));
	/* Alternate: send what fits, then drain, until done. */
	int rounds = 0;
	while ((r = frame_out_send(&o, p.w)) == 0) {
		cr_assert_lt(++rounds, 100000);
		cr_assert_geq(decoder_read(&p.d, p.r), 0);
	}
	cr_assert_eq(r, 1);
	cr_assert_gt(rounds, 0, "the socket buffer should have filled");
	frame_out_release(&o);
	pair_read(&p, &f);
	cr_assert_eq(f.len, sizeof(big));
	cr_assert_arr_eq(f.payload, big, sizeof(big));
	frame_clear(&f);
	pair_close(&p);
}
