/* SPDX-License-Identifier: ISC */
/*
 * Network fuzzing of a live daemon: random and mutated frames (valid
 * prefixes then corruption, truncation, huge lengths, slow byte-by-byte
 * writes).  After each batch a normal command must still work, and the
 * master must not have logged an abnormal worker exit.  Seeded: a failure
 * names the seed and batch, so it can be replayed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "decode.h"
#include "encode.h"
#include "frameio.h"
#include "message.h"
#include "rexecd_proc.h"

#define BATCHES		40
#define PER_BATCH	50

static const char *const valid_frames[] = {
	"{\"type\":\"exec\",\"version\":1,\"cmd\":\"echo fuzz\"}",
	"{\"type\":\"exec\",\"version\":1,\"argv\":[\"cat\"],\"stdin\":true}",
	"{\"type\":\"exec\",\"version\":1,\"cmd\":\"cat\",\"env\":{\"A\":\"b\"},"
	    "\"timeout\":1}",
	"{\"type\":\"stdin\",\"len\":4}",
	"{\"type\":\"eof\"}",
	"{\"type\":\"signal\",\"signal\":\"TERM\"}",
};

static void
put_frame(unsigned char *buf, size_t *off, const char *hdr)
{
	uint32_t h = (uint32_t)strlen(hdr);

	buf[(*off)++] = (unsigned char)(h >> 24);
	buf[(*off)++] = (unsigned char)(h >> 16);
	buf[(*off)++] = (unsigned char)(h >> 8);
	buf[(*off)++] = (unsigned char)h;
	memcpy(buf + *off, hdr, h);
	*off += h;
	if (strstr(hdr, "\"len\":4") != NULL) {
		memcpy(buf + *off, "abcd", 4);
		*off += 4;
	}
}

/* One hostile input: valid frames, then a mutation of some kind. */
static size_t
make_input(unsigned char *buf, size_t cap, unsigned *seed)
{
	size_t off = 0, nvalid = (size_t)rand_r(seed) % 4;
	int kind = rand_r(seed) % 6;

	for (size_t i = 0; i < nvalid; i++)
		put_frame(buf, &off, valid_frames[rand_r(seed) %
		    (int)(sizeof(valid_frames) / sizeof(valid_frames[0]))]);
	switch (kind) {
	case 0:		/* random bytes */
		for (size_t n = (size_t)rand_r(seed) % 512; n > 0 &&
		    off < cap; n--)
			buf[off++] = (unsigned char)rand_r(seed);
		break;
	case 1:		/* huge header length */
		buf[off++] = 0xff; buf[off++] = 0xff;
		buf[off++] = 0xff; buf[off++] = 0xff;
		break;
	case 2:		/* huge payload length */
		put_frame(buf, &off, "{\"type\":\"stdin\",\"len\":999999999}");
		break;
	case 3:		/* truncation: drop the tail */
		off = off > 0 ? (size_t)rand_r(seed) % off : 0;
		break;
	default:	/* flip bytes inside the valid prefix */
		for (int n = 1 + rand_r(seed) % 4; n > 0 && off > 0; n--)
			buf[(size_t)rand_r(seed) % off] ^=
			    (unsigned char)(1 + rand_r(seed) % 255);
		break;
	}
	return off;
}

/* Sends input (sometimes a byte at a time), then reads until close. */
static void
send_hostile(const struct rexecd_proc *d, const unsigned char *buf,
    size_t len, int slow)
{
	int fd = rexecd_connect(d);
	char sink[65536];
	struct pollfd pfd;

	cr_assert_neq(fd, -1, "daemon stopped accepting");
	for (size_t i = 0; i < len; i += slow ? 1 : len) {
		size_t n = slow ? 1 : len;
		if (send(fd, buf + i, n, MSG_NOSIGNAL) == -1)
			break;
	}
	shutdown(fd, SHUT_WR);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	/* Bounded: the server answers an error or the command ends (<=1 s). */
	for (int rounds = 0; rounds < 1000; rounds++) {
		if (poll(&pfd, 1, 15000) <= 0)
			break;
		if (read(fd, sink, sizeof(sink)) <= 0)
			break;
	}
	close(fd);
}

/* A normal command still gets its output and exit code. */
static void
assert_daemon_serves(const struct rexecd_proc *d, unsigned seed, int batch)
{
	char *argv[] = { "echo", "still alive", NULL };
	struct exec_req req = { .argv = argv, .argc = 2 };
	struct decoder dec;
	struct frame f;
	struct exit_status x;
	struct proto_error e;
	char out[64] = "";
	size_t outlen = 0;
	int fd = rexecd_connect(d), done = 0, r;

	cr_assert_neq(fd, -1, "seed %u batch %d: cannot connect", seed, batch);
	cr_assert_eq(msg_send(fd, msg_exec(&req)), 0);
	decoder_init(&dec);
	while (!done) {
		while ((r = decoder_next(&dec, &f)) == 1) {
			if (f.type == FRAME_STDOUT && outlen + f.len < 64) {
				memcpy(out + outlen, f.payload, f.len);
				outlen += f.len;
			} else if (f.type == FRAME_EXIT) {
				cr_assert_eq(msg_parse_exit(&f, &x, &e), 0);
				cr_assert(x.exited && x.code == 0);
				done = 1;
			}
			cr_assert_neq(f.type, FRAME_ERROR,
			    "seed %u batch %d: error frame", seed, batch);
			frame_clear(&f);
		}
		cr_assert_eq(r, 0, "seed %u batch %d: undecodable frame", seed,
		    batch);
		if (!done)
			cr_assert_gt(decoder_read(&dec, fd), 0,
			    "seed %u batch %d: connection lost", seed, batch);
	}
	cr_assert_str_eq(out, "still alive\n");
	decoder_free(&dec);
	close(fd);
}

Test(netfuzz, hostile_frames_never_break_the_daemon, .timeout = 240)
{
	struct rexecd_proc d;
	unsigned char buf[8192];
	unsigned seed = (unsigned)getpid();
	const char *const extra[] = { "-w", "2", NULL };

	rexecd_start(&d, "request_timeout = 2\n", extra);
	for (int batch = 0; batch < BATCHES; batch++) {
		for (int i = 0; i < PER_BATCH; i++) {
			size_t len = make_input(buf, sizeof(buf) - 600, &seed);
			send_hostile(&d, buf, len, i % 10 == 0);
		}
		assert_daemon_serves(&d, seed, batch);
		char *log = rexecd_log(&d);
		cr_assert_null(strstr(log, "died"),
		    "seed %u batch %d: a worker crashed:\n%s", seed, batch,
		    log);
		free(log);
	}
	cr_assert_eq(rexecd_stop(&d), 0, "daemon exits 0 on SIGTERM");
}
