/* SPDX-License-Identifier: ISC */
/* The stdin queue a command's stream and a forwarded connection share:
 * bytes in order through short writes, a broken fd said once, and stdin
 * written before any frame that came after it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon/inqueue.h"
#include "frame_bytes.h"

#define CHUNK	(48 * 1024)
#define CHUNKS	8		/* more than a pipe holds */

static unsigned char	 src[CHUNKS][CHUNK];

static void
nonblock(int fd)
{
	cr_assert_neq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), -1);
}

Test(inqueue, short_writes_keep_every_byte_in_order)
{
	static unsigned char got[CHUNKS * CHUNK];
	struct inqueue q = { 0 };
	size_t have = 0;
	int p[2], k = 1, rounds = 0;

	cr_assert_eq(pipe(p), 0);
	nonblock(p[0]);
	nonblock(p[1]);
	for (int i = 0; i < CHUNKS; i++) {
		for (int j = 0; j < CHUNK; j++)
			src[i][j] = (unsigned char)(i * 31 + j * 7);
		inq_push(&q, src[i], CHUNK);
	}
	while (k == 1 && rounds++ < 10000) {
		k = inq_write(&q, p[1]);
		cr_assert(k == 0 || (k == 1 && q.pending));
		for (ssize_t n; (n = read(p[0], got + have,
		    sizeof(got) - have)) > 0; )
			have += (size_t)n;
	}
	cr_assert_eq(k, 0);
	cr_assert_not(q.pending);
	cr_assert_eq(q.count, 0);
	cr_assert_eq(have, sizeof(got));
	cr_assert_eq(memcmp(got, src, sizeof(got)), 0);
	close(p[0]);
	close(p[1]);
}

Test(inqueue, a_closed_reader_empties_the_queue)
{
	struct inqueue q = { 0 };
	int p[2];

	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(pipe(p), 0);
	close(p[0]);
	inq_push(&q, "abc", 3);
	cr_assert_eq(inq_write(&q, p[1]), -1);
	cr_assert_eq(errno, EPIPE);
	cr_assert_eq(q.count, 0);
	cr_assert_not(q.pending);
	close(p[1]);
}

/* What process saw, in order: s (stdin), f (flush), o (other frame). */
struct seen {
	struct inqueue	 q;
	int		 fd;
	bool		 stop;
	char		 log[32];
	size_t		 n;
};

static int
t_flush(void *arg)
{
	struct seen *s = arg;

	s->log[s->n++] = 'f';
	return inq_write(&s->q, s->fd) == 1;
}

static void
t_stdin(void *arg, struct frame *f)
{
	struct seen *s = arg;

	s->log[s->n++] = 's';
	inq_push(&s->q, f->payload, f->len);
	frame_clear(f);
}

static void
t_frame(void *arg, struct frame *f)
{
	struct seen *s = arg;

	s->log[s->n++] = 'o';
	frame_clear(f);
}

static void
t_error(void *arg, const struct proto_error *e)
{
	struct seen *s = arg;

	(void)e;
	s->log[s->n++] = 'e';
	s->stop = true;
}

static const struct inq_ops t_ops = { t_flush, t_stdin, t_frame, t_error };

Test(inqueue, stdin_is_written_before_the_frame_after_it)
{
	struct seen s = { 0 };
	struct bytes b = { 0 };
	struct decoder d;
	char out[16] = { 0 };
	int p[2];

	cr_assert_eq(pipe(p), 0);
	nonblock(p[1]);
	s.fd = p[1];
	inq_init(&s.q, &t_ops, &s, &s.stop);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":2}", "ab", 2);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":2}", "cd", 2);
	bytes_frame(&b, "{\"type\":\"eof\"}", NULL, 0);
	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":1}", "e", 1);
	bytes_frame(&b, "{\"type\":\"eof\"}", NULL, 0);
	/* A frame the decoder refuses stops it all, unflushed. */
	bytes_frame(&b, "{\"type\":\"bogus\"}", NULL, 0);
	decoder_init(&d);
	cr_assert_eq(decoder_feed(&d, b.data, b.len), 0);
	inq_process(&s.q, &d);
	s.log[s.n] = '\0';
	cr_assert_str_eq(s.log, "ssfosfoe");
	cr_assert_eq(read(p[0], out, sizeof(out) - 1), 5);
	cr_assert_str_eq(out, "abcde");
	inq_clear_deferred(&s.q);
	decoder_free(&d);
	bytes_free(&b);
	close(p[0]);
	close(p[1]);
}
