/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "clock.h"
#include "daemon_util.h"
#include "decode.h"
#include "encode.h"
#include "fdio.h"
#include "frameio.h"
#include "proc_scan.h"

#define STDIN_CHUNK	(64 * 1024)

int
dt_send_exec(int fd, const char *json)
{
	json_error_t jerr;
	json_t *h = json_loads(json, 0, &jerr);
	int r;

	cr_assert_not_null(h, "bad test JSON %s: %s", json, jerr.text);
	if (json_object_get(h, "type") == NULL)
		json_object_set_new(h, "type", json_string("exec"));
	if (json_object_get(h, "version") == NULL)
		json_object_set_new(h, "version", json_integer(1));
	r = frame_write_json(fd, h, NULL, 0);
	json_decref(h);
	return r;
}

void
dt_send_raw(int fd, const void *p, size_t n)
{
	signal(SIGPIPE, SIG_IGN);
	cr_assert_eq(write_full(fd, p, n), 0, "write: %s", strerror(errno));
}

static void
keep(char **buf, size_t *len, const void *p, size_t n)
{
	size_t room = *len < DT_KEEP_MAX ? DT_KEEP_MAX - *len : 0;

	if (n > room)
		n = room;
	*buf = realloc(*buf, *len + n + 1);
	cr_assert_not_null(*buf);
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static void
on_frame(struct frame *f, struct dt_result *r)
{
	struct proto_error e;

	switch (f->type) {
	case FRAME_STARTED:
		cr_assert_eq(msg_parse_started(f, &r->pid, &e), 0, "%s",
		    e.message);
		r->started = true;
		break;
	case FRAME_STDOUT:
		r->out_total += f->len;
		r->out_hash = test_fnv(r->out_hash, f->payload, f->len);
		keep(&r->out, &r->out_len, f->payload, f->len);
		break;
	case FRAME_STDERR:
		keep(&r->errout, &r->errout_len, f->payload, f->len);
		break;
	case FRAME_EXIT:
		cr_assert(!r->got_exit && !r->got_error, "frame after the end");
		cr_assert_eq(msg_parse_exit(f, &r->st, &e), 0, "%s",
		    e.message);
		r->got_exit = true;
		break;
	case FRAME_ERROR:
		cr_assert(!r->got_exit && !r->got_error, "frame after the end");
		cr_assert_eq(msg_parse_error(f, &r->err, &e), 0, "%s",
		    e.message);
		r->got_error = true;
		break;
	default:
		cr_assert_fail("unexpected %s frame from the server",
		    frame_type_name(f->type));
	}
}

static void
result_init(struct dt_result *r)
{
	if (r->out_hash == 0) {
		memset(r, 0, sizeof(*r));
		r->out_hash = TEST_FNV_INIT;
		r->out = calloc(1, 1);
		r->errout = calloc(1, 1);
	}
}

/* Takes complete frames out; returns the type of the last one, or -1. */
static int
drain(struct decoder *dec, struct dt_result *r)
{
	struct frame f;
	int last = -1, n;

	while ((n = decoder_next(dec, &f)) == 1) {
		last = (int)f.type;
		on_frame(&f, r);
		frame_clear(&f);
	}
	cr_assert_neq(n, -1, "server sent a bad frame: %s",
	    decode_error_string(decoder_error(dec)));
	return last;
}

struct sender {
	const unsigned char	*in;
	size_t			 len, off;
	bool			 eof, eof_sent, dead;
	struct frame_out	 out;
	bool			 pending;
};

static void
send_some(int fd, struct sender *s)
{
	int rc;

	if (!s->pending) {
		if (s->off < s->len) {
			size_t n = s->len - s->off;
			if (n > STDIN_CHUNK)
				n = STDIN_CHUNK;
			frame_out_data(&s->out, FRAME_STDIN, s->in + s->off, n);
			s->off += n;
		} else if (s->eof && !s->eof_sent) {
			frame_out_data(&s->out, FRAME_EOF, NULL, 0);
			s->eof_sent = true;
		} else
			return;
		s->pending = true;
	}
	rc = frame_out_send(&s->out, fd);
	if (rc == -1)
		s->dead = true;		/* the server closed: that is its right */
	if (rc != 0) {
		frame_out_release(&s->out);
		s->pending = false;
	}
}

static bool
want_send(const struct sender *s)
{
	return !s->dead && (s->pending || s->off < s->len ||
	    (s->eof && !s->eof_sent));
}

void
dt_session(int fd, const void *in, size_t inlen, bool send_eof,
    int timeout_ms, struct dt_result *r)
{
	struct sender s = { .in = in, .len = inlen, .eof = send_eof };
	long long deadline = now_ms() + timeout_ms;
	struct decoder dec;
	struct pollfd p = { .fd = fd };
	ssize_t n;

	signal(SIGPIPE, SIG_IGN);
	result_init(r);
	set_nonblock(fd, 1);
	decoder_init(&dec);
	for (;;) {
		long long left = deadline - now_ms();
		cr_assert_gt(left, 0, "session did not end in %d ms",
		    timeout_ms);
		p.events = POLLIN | (want_send(&s) && !r->got_exit &&
		    !r->got_error ? POLLOUT : 0);
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		if (p.revents & POLLOUT)
			send_some(fd, &s);
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = decoder_read(&dec, fd);
		if (n == -1 && errno == EAGAIN)
			continue;
		if (n <= 0)
			break;
		drain(&dec, r);
	}
	if (s.pending)
		frame_out_release(&s.out);
	r->stdin_sent = s.off;
	r->eof_without_end = !r->got_exit && !r->got_error;
	decoder_free(&dec);
}

int
dt_read_until(int fd, const char *want, int timeout_ms, struct dt_result *r)
{
	long long deadline = now_ms() + timeout_ms;
	struct decoder dec;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	enum frame_type wt;
	int rc = -1;

	cr_assert_eq(frame_type_from_name(want, &wt), 0);
	result_init(r);
	set_nonblock(fd, 1);
	decoder_init(&dec);
	/* One byte at a time: nothing past the wanted frame is consumed. */
	while (rc == -1 && now_ms() < deadline) {
		unsigned char c;
		ssize_t n;

		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		n = read(fd, &c, 1);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		decoder_feed(&dec, &c, 1);
		if (drain(&dec, r) == (int)wt)
			rc = 0;
	}
	decoder_free(&dec);
	return rc;
}

void
dt_run(const struct rexecd_proc *d, const char *exec_json, const void *in,
    size_t inlen, struct dt_result *r)
{
	int fd = rexecd_connect(d);

	cr_assert_neq(fd, -1, "connect: %s", strerror(errno));
	cr_assert_eq(dt_send_exec(fd, exec_json), 0);
	memset(r, 0, sizeof(*r));
	dt_session(fd, in, inlen, true, 60000, r);
	close(fd);
}

void
dt_result_free(struct dt_result *r)
{
	free(r->out);
	free(r->errout);
	memset(r, 0, sizeof(*r));
}

void
dt_marker(char *buf, size_t len)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(buf, len, "9%02d.%05d%04ld", (int)(getpid() % 100),
	    (int)(getpid() % 100000), (long)((ts.tv_nsec / 1000) % 10000));
}

char *
dt_master_fds(pid_t master)
{
	pid_t w[1024];
	int links = dt_workers(master, NULL, w, 1024);
	char *t = proc_fd_table(master), *p;
	const char link[] = "fd -> socket\n";

	for (int i = 0; i < links && (p = strstr(t, link)) != NULL; i++)
		memmove(p, p + strlen(link), strlen(p + strlen(link)) + 1);
	return t;
}

int
dt_workers(pid_t master, const char *state, pid_t *pids, int max)
{
	char buf[4096], want[64];
	pid_t child[256];
	size_t nchild = proc_children(master, child, 256);
	int n = 0;

	snprintf(want, sizeof(want), "rexecd: worker %s",
	    state != NULL ? state : "");
	for (size_t i = 0; i < nchild && n < max; i++)
		if (proc_cmdline(child[i], buf, sizeof(buf)) == 0 &&
		    strstr(buf, want) != NULL)
			pids[n++] = child[i];
	return n;
}
