/* SPDX-License-Identifier: ISC */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "instore.h"
#include "link.h"

/* Stdin read back from the spill file, per connection. */
#define SCRATCH_LEN		(64 * 1024)
/* A -L stream's reads: one whole frame, fewer rounds per byte. */
#define STREAM_CHUNK		FRAME_DATA_CHUNK

static void	 settle(struct link *);
static void	 release_out(struct link *);
static int	 prepare_out(struct link *, bool started);
static int	 prepare_stdin(struct link *);
static int	 prepare_stream(struct link *);
static void	 send_out(struct link *);
static unsigned	 jitter(unsigned bound);

void
link_start(struct link *l, const char *name, const char *port, int family,
    int timeout_ms, json_t *request, bool stdin_open)
{
	*l = (struct link){ .request = json_incref(request),
	    .in_open = stdin_open, .stream = -1 };
	dialer_start(&l->d, name, port, family, timeout_ms);
	settle(l);
}

void
link_set_stream(struct link *l, int fd)
{
	l->stream = fd;
	l->in_open = true;
	l->srd = true;
}

bool
link_stream_wanted(const struct link *l, bool started)
{
	return l->stream != -1 && l->up && started && l->in_open &&
	    !l->peer_gone && !l->srd && l->out_kind == LINK_OUT_NONE;
}

void
link_stream_ready(struct link *l)
{
	l->srd = true;
}

void
link_free(struct link *l)
{
	dialer_free(&l->d);
	release_out(l);
	for (size_t i = 0; i < l->nctl; i++)
		json_decref(l->ctl[i]);
	l->nctl = 0;
	json_decref(l->exec);
	json_decref(l->request);
	l->exec = l->request = NULL;
	free(l->scratch);
	l->scratch = NULL;
}

void
link_close(struct link *l)
{
	if (l->d.sock != -1)
		close(l->d.sock);
	l->d.sock = -1;
	l->up = false;
}

/* Just connected: the request goes first, on every connection. */
static void
settle(struct link *l)
{
	if (l->up || l->backing_off || l->d.state != DIAL_UP)
		return;
	l->up = true;
	l->wr = true;
	l->rd = l->eof = false;
	json_decref(l->exec);
	l->exec = json_incref(l->request);
}

bool
link_up(const struct link *l)
{
	return l->up;
}

bool
link_failed(const struct link *l)
{
	return l->d.state == DIAL_FAILED;
}

void
link_pollfd(const struct link *l, struct pollfd *pfd, long long *deadline,
    bool want_read)
{
	*pfd = (struct pollfd){ .fd = -1 };
	if (l->backing_off) {
		deadline_merge(deadline, l->retry_at);
		return;
	}
	if (!l->up) {
		dialer_pollfd(&l->d, pfd, deadline);
		return;
	}
	if (want_read && !l->eof && !l->rd)
		pfd->events |= POLLIN;
	if (l->out_kind != LINK_OUT_NONE && !l->wr)
		pfd->events |= POLLOUT;
	if (pfd->events != 0)
		pfd->fd = l->d.sock;
}

void
link_ready(struct link *l, short revents)
{
	if (!l->up) {
		dialer_ready(&l->d);
		settle(l);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		l->rd = true;
	if (revents & (POLLOUT | POLLHUP | POLLERR))
		l->wr = true;
}

void
link_tick(struct link *l, long long now)
{
	if (l->backing_off && now >= l->retry_at) {
		l->backing_off = false;
		dialer_redial(&l->d);
	} else if (!l->up) {
		dialer_tick(&l->d, now);
	}
	settle(l);
}

bool
link_readable(const struct link *l)
{
	return l->up && l->rd && !l->eof;
}

/* A read shorter than the room emptied the socket: the next one would
 * most likely fail with EAGAIN, so poll instead of trying it. */
ssize_t
link_read(struct link *l, void *p, size_t room)
{
	ssize_t n = read(l->d.sock, p, room);

	if (n > 0)
		l->rd = (size_t)n == room;
	else if (n == 0)
		l->eof = true;
	else if (errno == EAGAIN)
		l->rd = false;
	return n;
}

int
link_send(struct link *l, bool started)
{
	if (!l->up)
		return 0;
	if (prepare_out(l, started) == -1)
		return -1;
	if (l->out_kind != LINK_OUT_NONE && l->wr)
		send_out(l);
	return prepare_out(l, started);
}

bool
link_writable(const struct link *l)
{
	return l->up && l->out_kind != LINK_OUT_NONE && l->wr;
}

int
link_queue(struct link *l, json_t *hdr)
{
	if (l->nctl == LINK_CTLQ_MAX)
		return -1;
	l->ctl[l->nctl++] = hdr;
	return 0;
}

/* Frames to send, in order: exec, control frames, stdin data, eof. */
static int
prepare_out(struct link *l, bool started)
{
	json_t *hdr;

	if (l->out_kind != LINK_OUT_NONE || l->peer_gone)
		return 0;
	if ((hdr = l->exec) != NULL) {
		l->exec = NULL;
	} else if (l->nctl > 0) {
		hdr = l->ctl[0];
		memmove(l->ctl, l->ctl + 1, --l->nctl * sizeof(l->ctl[0]));
	} else if (l->in_open && started) {
		return l->stream != -1 ? prepare_stream(l) : prepare_stdin(l);
	} else {
		return 0;
	}
	if (frame_out_json(&l->out, hdr, NULL, 0) == 0)
		l->out_kind = LINK_OUT_CONTROL;
	else
		snprintf(l->err, sizeof(l->err), "cannot encode a frame: %s",
		    strerror(errno));
	json_decref(hdr);
	return l->out_kind == LINK_OUT_CONTROL ? 0 : -1;
}

static int
prepare_stdin(struct link *l)
{
	const void *p;
	size_t n;

	if (l->in_off == instore_end()) {
		if (instore_eof()) {
			frame_out_data(&l->out, FRAME_EOF, NULL, 0);
			l->out_kind = LINK_OUT_EOF;
		}
		return 0;
	}
	if (instore_spilled() && l->scratch == NULL &&
	    (l->scratch = malloc(SCRATCH_LEN)) == NULL) {
		snprintf(l->err, sizeof(l->err), "out of memory");
		return -1;
	}
	n = instore_get(l->in_off, FRAME_DATA_CHUNK, &p, l->scratch,
	    SCRATCH_LEN);
	if (n == 0) {
		snprintf(l->err, sizeof(l->err), "cannot read the kept input");
		return -1;
	}
	frame_out_data(&l->out, FRAME_STDIN, p, n);
	l->in_len = n;
	l->out_kind = LINK_OUT_STDIN;
	return 0;
}

/* A failed read ends the input as its end does: the far side then
 * closes, and the connection ends. */
static int
prepare_stream(struct link *l)
{
	ssize_t n;

	if (!l->srd)
		return 0;
	if (l->scratch == NULL && (l->scratch = malloc(STREAM_CHUNK)) == NULL) {
		snprintf(l->err, sizeof(l->err), "out of memory");
		return -1;
	}
	n = read(l->stream, l->scratch, STREAM_CHUNK);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		l->srd = false;
		return 0;
	}
	if (n > 0) {
		frame_out_data(&l->out, FRAME_STDIN, l->scratch, (size_t)n);
		l->in_len = (size_t)n;
		l->out_kind = LINK_OUT_STDIN;
	} else {
		frame_out_data(&l->out, FRAME_EOF, NULL, 0);
		l->out_kind = LINK_OUT_EOF;
	}
	return 0;
}

static void
send_out(struct link *l)
{
	int r = frame_out_send(&l->out, l->d.sock);

	if (r == 0) {
		l->wr = false;
		return;
	}
	if (r == 1) {
		if (l->out_kind == LINK_OUT_STDIN)
			l->in_off += l->in_len;
		else if (l->out_kind == LINK_OUT_EOF)
			l->in_open = false;
	} else {
		/* The server stopped reading; its exit frame may still come. */
		l->peer_gone = true;
		l->in_open = false;
	}
	release_out(l);
}

static void
release_out(struct link *l)
{
	if (l->out_kind != LINK_OUT_NONE)
		frame_out_release(&l->out);
	l->out_kind = LINK_OUT_NONE;
}

/*
 * "busy" means the server ran nothing and read none of stdin: the caller
 * tries again a few times, backing off at random so that refused clients
 * do not return together.
 */
void
link_backoff(struct link *l, unsigned wait_ms)
{
	link_close(l);
	release_out(l);
	l->attempts++;
	l->backing_off = true;
	l->retry_at = now_ms() + wait_ms + jitter(wait_ms);
}

void
link_reset(struct link *l)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };

	if (l->d.sock != -1)
		(void)setsockopt(l->d.sock, SOL_SOCKET, SO_LINGER, &now,
		    sizeof(now));
}

enum conn_stdin
link_stdin(const struct link *l)
{
	if (!l->in_open || l->peer_gone || l->stream != -1)
		return CONN_STDIN_NONE;
	if (l->in_off == instore_end() && l->out_kind != LINK_OUT_STDIN)
		return CONN_STDIN_AT_END;
	return CONN_STDIN_BEHIND;
}

bool
link_peer_gone(const struct link *l)
{
	return l->peer_gone;
}

/* Only spreads retries apart, so any entropy will do. */
static unsigned
jitter(unsigned bound)
{
	unsigned r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)getpid() * 2654435761u ^ (unsigned)now_ms();
	return r % bound;
}
