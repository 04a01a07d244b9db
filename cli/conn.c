/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "copy.h"
#include "decode.h"
#include "failmsg.h"
#include "frame.h"
#include "instore.h"
#include "lines.h"
#include "message.h"
#include "mungecred.h"
#include "outdir.h"
#include "output.h"
#include "results.h"
#include "terminal.h"
#include "textsafe.h"

/* Retries after "busy", the first one BUSY_BACKOFF_MS (doubling) later. */
#define BUSY_RETRIES		4
#define BUSY_BACKOFF_MS		100u

/*
 * OPEN: reaching the host or running; TAIL: its outcome known, the
 * output before it still going out (a failed host never was connected:
 * the link says so, not the phase); DONE: all written.
 */
enum phase { PH_OPEN, PH_TAIL, PH_DONE };

struct conn {
	struct host			*h;
	const struct engine_opts	*o;
	enum phase			 phase;
	struct link			 link;
	struct decoder			 dec;

	/* Output: payloads (raw) or lines, written by output.c; the
	 * socket is not read until they are out (back-pressure). */
	struct outblk			 blk;
	bool				 blk_queued;
	struct lines			 lines;
	struct frame			 next;	/* waits for the block */
	bool				 have_next;
	size_t				 next_off;	/* of its payload, taken */

	bool				 started;
	bool				 signalled;
	int				 file[3];	/* --outdir's, by fd */
	int				 stream;	/* -L: the accepted socket */

	/* Fleet copy: --rcopy's spool, and the last line the copy
	 * helper wrote to stderr (its reason, for the summary). */
	int				 spool;
	char				 errbuf[200];
	size_t				 errcur;
	char				 errline[200];
};

static struct conn *start(struct host *, const struct engine_opts *,
		    json_t *base, int stream);
static void	 init_lines(struct conn *);
static json_t	*request(struct conn *, json_t *base);
static bool	 may_read(const struct conn *);
static bool	 take_stream(struct conn *, struct frame *);
static int	 add_credential(struct conn *, json_t *req);
static void	 settle(struct conn *);
static void	 read_sock(struct conn *);
static void	 drain_frames(struct conn *);
static bool	 take_frame(struct conn *, struct frame *);
static bool	 take_output(struct conn *, struct frame *);
static void	 submit_block(struct conn *);
static void	 block_done(struct outblk *, int err);
static void	 output_closed(struct conn *, int fd);
static void	 on_frame(struct conn *, struct frame *);
static void	 on_started_frame(struct conn *, struct frame *);
static void	 on_exit_frame(struct conn *, struct frame *);
static void	 on_error_frame(struct conn *, struct frame *);
static bool	 open_files(struct conn *);
static bool	 take_copy(struct conn *, int fd, const unsigned char *,
		    size_t);
static bool	 copy_outcome(struct conn *, const struct exit_status *);
static void	 busy_backoff(struct conn *);
static void	 close_tail(struct conn *);
static void	 finish(struct conn *, int status);
static void	 host_failed(struct conn *, enum host_fail, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

struct conn *
conn_start(struct host *h, const struct engine_opts *o)
{
	return start(h, o, o->exec, -1);
}

struct conn *
conn_start_stream(struct host *h, const struct engine_opts *o,
    json_t *request, int fd)
{
	return start(h, o, request, fd);
}

static struct conn *
start(struct host *h, const struct engine_opts *o, json_t *base,
    int stream)
{
	struct conn *c = calloc(1, sizeof(*c));
	json_t *req;

	if (c == NULL) {
		h->done = true;
		h->status = results_fail_oom(h);
		return NULL;
	}
	c->h = h;
	c->o = o;
	c->file[1] = c->file[2] = -1;
	c->spool = -1;
	c->stream = stream;
	decoder_init(&c->dec);
	init_lines(c);
	h->t0 = now_ms();
	req = request(c, base);
	link_start(&c->link, h->name, h->port, o->family,
	    o->connect_timeout_ms, req, o->stdin_open || stream != -1);
	if (stream != -1)
		link_set_stream(&c->link, stream);
	if (req == NULL)
		host_failed(c, HOST_LOCAL, NULL, "out of memory");
	else if (o->munge)
		(void)add_credential(c, req);
	json_decref(req);
	settle(c);
	if (o->copy != NULL && stream == -1 && !copy_sends(o->copy) &&
	    c->phase == PH_OPEN &&
	    (c->spool = copy_spool_open(o->copy)) == -1) {
		link_reset(&c->link);
		host_failed(c, HOST_LOCAL, NULL, "cannot spool its copy: %s",
		    strerror(errno));
	}
	return c;
}

struct host *
conn_host(const struct conn *c)
{
	return c->h;
}

static void
init_lines(struct conn *c)
{
	char prefix[LINES_PREFIX_MAX];
	size_t plen;

	/* A host name from a list file is foreign text too. */
	text_safe_str(prefix, sizeof(prefix) - 2, c->h->label,
	    failmsg_flags());
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	lines_init(&c->lines, c->o->prefix ? prefix : "");
	for (int fd = 1; fd <= 2; fd++)
		if (c->o->safe[fd])
			lines_make_safe(&c->lines, fd, c->o->safe_flags);
}

/* The exec request, with this host's account when it names one; a
 * copy of its own with -M, for its credential. */
static json_t *
request(struct conn *c, json_t *base)
{
	json_t *req;

	if (c->h->user == NULL && !c->o->munge)
		return json_incref(base);
	if ((req = json_copy(base)) != NULL && c->h->user != NULL &&
	    json_object_set_new(req, "user", json_string(c->h->user)) == -1) {
		json_decref(req);
		req = NULL;
	}
	return req;
}

/*
 * Made once the connection is under way, so that munged's answer
 * overlaps the handshake; the link frames its request (this object)
 * only when it is connected and sends.  0, or -1 (h failed).
 */
static int
add_credential(struct conn *c, json_t *req)
{
	char why[256], *cred;
	int r;

	if ((cred = mungecred_take(why, sizeof(why))) == NULL) {
		host_failed(c, HOST_LOCAL, NULL, "munge: %s", why);
		return -1;
	}
	r = json_object_set_new(req, "munge", json_string(cred));
	free(cred);
	if (r == -1)
		host_failed(c, HOST_LOCAL, NULL, "out of memory");
	return r;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	link_free(&c->link);
	outdir_close(c->file);
	if (c->have_next)
		frame_clear(&c->next);
	decoder_free(&c->dec);
	lines_free(&c->lines);
	if (c->spool != -1)
		close(c->spool);
	if (c->stream != -1)
		close(c->stream);
	free(c);
}

/* Reaching the host ended in failure: the resolver's or the connect's. */
static void
settle(struct conn *c)
{
	if (c->phase == PH_OPEN && link_failed(&c->link))
		host_failed(c, c->link.d.resolve_failed ? HOST_RESOLVE :
		    HOST_CONNECT, c->link.d.resolve_failed ? "resolve" :
		    "connect", "%s", c->link.d.why);
}

void
conn_pollfd(const struct conn *c, struct pollfd pfd[CONN_PFDS],
    long long *deadline)
{
	pfd[0] = pfd[1] = (struct pollfd){ .fd = -1 };
	if (c->phase != PH_OPEN)
		return;
	link_pollfd(&c->link, &pfd[0], deadline, may_read(c));
	if (c->stream == -1)
		return;
	if (link_stream_wanted(&c->link, c->started))
		pfd[1].events |= POLLIN;
	if (c->have_next)
		pfd[1].events |= POLLOUT;
	if (pfd[1].events != 0)
		pfd[1].fd = c->stream;
}

void
conn_ready(struct conn *c, const struct pollfd pfd[CONN_PFDS])
{
	if (c->phase != PH_OPEN)
		return;
	if (pfd[0].fd != -1 && pfd[0].revents != 0) {
		link_ready(&c->link, pfd[0].revents);
		settle(c);
	}
	if (c->phase != PH_OPEN || pfd[1].fd == -1 || pfd[1].revents == 0)
		return;
	if (pfd[1].revents & ~POLLOUT)
		link_stream_ready(&c->link);
	if (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP) && c->have_next)
		drain_frames(c);
}

/* The socket is read only when what it holds can go somewhere: the
 * shared output, or for -L the local connection, one frame at a time. */
static bool
may_read(const struct conn *c)
{
	if (c->stream != -1)
		return !c->have_next;
	return !c->blk_queued && output_has_room();
}

void
conn_tick(struct conn *c, long long now)
{
	if (c->phase != PH_OPEN)
		return;
	link_tick(&c->link, now);
	settle(c);
}

bool
conn_pump(struct conn *c)
{
	if (c->phase == PH_OPEN && link_up(&c->link)) {
		if (may_read(c) && link_readable(&c->link))
			read_sock(c);
		if (c->phase == PH_OPEN &&
		    link_send(&c->link, c->started) == -1)
			host_failed(c, HOST_LOCAL, NULL, "%s", c->link.err);
	}
	if (c->phase == PH_TAIL)
		close_tail(c);
	if (c->phase != PH_OPEN)
		return false;
	return (may_read(c) && link_readable(&c->link)) ||
	    link_writable(&c->link);
}

bool
conn_done(const struct conn *c)
{
	return c->phase == PH_DONE;
}

bool
conn_connected(const struct conn *c)
{
	return c->phase == PH_OPEN && link_up(&c->link);
}

bool
conn_started(const struct conn *c)
{
	return c->started;
}

enum conn_stdin
conn_stdin(const struct conn *c)
{
	if (c->phase != PH_OPEN)
		return CONN_STDIN_NONE;
	return link_stdin(&c->link);
}

/* Not yet running: it is not started (the user asked to stop). */
void
conn_signal(struct conn *c, int signo)
{
	json_t *hdr;

	c->signalled = true;
	if (c->phase != PH_OPEN)
		return;
	if (!link_up(&c->link)) {
		host_failed(c, HOST_NOT_STARTED, NULL, "interrupted");
		return;
	}
	if (link_peer_gone(&c->link) || (hdr = msg_signal(signo)) == NULL)
		return;
	if (link_queue(&c->link, hdr) == -1)
		json_decref(hdr);
}

void
conn_send_winsize(struct conn *c)
{
	json_t *hdr = term_winsize_frame();

	if (hdr != NULL && link_queue(&c->link, hdr) == -1)
		json_decref(hdr);
}

/*
 * Giving up: the connection is reset, not closed.  When the command does
 * not read its stdin, our unsent stdin fills the server's window and a
 * FIN would wait behind it; a reset reaches the server at once, and it
 * ends the command.
 */
void
conn_interrupt(struct conn *c, const char *why)
{
	if (c->phase != PH_OPEN)
		return;
	link_reset(&c->link);
	host_failed(c, HOST_LOCAL, NULL, "%s", why);
}

/* As conn_interrupt, without a word: a forward ends with rexec. */
void
conn_drop(struct conn *c)
{
	if (c->phase != PH_OPEN)
		return;
	link_reset(&c->link);
	c->h->fail = HOST_LOCAL;
	finish(c, 255);
}

static void
read_sock(struct conn *c)
{
	size_t room;
	void *p = decoder_space(&c->dec, &room);
	ssize_t n;

	if (p == NULL) {
		host_failed(c, HOST_LOCAL, NULL, "out of memory");
		return;
	}
	if ((n = link_read(&c->link, p, room)) > 0) {
		decoder_commit(&c->dec, (size_t)n);
		drain_frames(c);
	} else if (n == 0) {
		host_failed(c, HOST_LOCAL, NULL, "connection lost before the "
		    "command's exit status");
	} else if (errno != EAGAIN && errno != EINTR) {
		host_failed(c, HOST_LOCAL, NULL, "connection lost: %s",
		    strerror(errno));
	}
}

/* Handles every complete frame, stopping at one that must wait for the
 * output gathered before it; then hands that output to the writer. */
static void
drain_frames(struct conn *c)
{
	struct frame f;
	int r;

	while (c->phase == PH_OPEN) {
		if (c->have_next) {
			f = c->next;
			c->have_next = false;
		} else if ((r = decoder_next(&c->dec, &f)) == 0) {
			break;
		} else if (r == -1 && (c->blk.cnt > 0 ||
		    c->lines.blocklen > 0)) {
			break;	/* sticky: reported once the output is out */
		} else if (r == -1) {
			struct proto_error e;
			decoder_describe_error(&c->dec, &e);
			host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
			    e.message);
			break;
		}
		if (!take_frame(c, &f)) {
			c->next = f;
			c->have_next = true;
			break;
		}
	}
	submit_block(c);
}

/* Output, or any other frame once the output before it is written.
 * False: f must wait. */
static bool
take_frame(struct conn *c, struct frame *f)
{
	if (f->type == FRAME_STDOUT || f->type == FRAME_STDERR) {
		if (!take_output(c, f))
			return false;
		frame_clear(f);
		c->next_off = 0;
		return true;
	}
	if (c->blk.cnt > 0 || c->lines.blocklen > 0)
		return false;
	on_frame(c, f);
	frame_clear(f);
	return true;
}

/* The payload held (-b, --json), cut into lines, or taken as it is into
 * the writev (in place, from the decoder's buffer).  False: wait. */
static bool
take_output(struct conn *c, struct frame *f)
{
	int fd = f->type == FRAME_STDOUT ? 1 : 2;
	const unsigned char *p = f->payload + c->next_off;
	size_t n = f->len - c->next_off;

	if (n == 0)
		return true;
	if (c->stream != -1)
		return fd == 2 || take_stream(c, f);
	if (c->o->copy != NULL && take_copy(c, fd, p, n))
		return true;
	if (c->o->outdir != NULL) {
		if (open_files(c) && outdir_write(c->file[fd], p, n) == -1)
			host_failed(c, HOST_LOCAL, NULL, "cannot write %s/%s.%s: "
			    "%s", c->o->outdir, c->h->label, fd == 1 ? "out" :
			    "err", strerror(errno));
		return true;
	}
	if (c->o->json || (c->o->gather && fd == 1)) {
		if (results_hold(c->h, fd, p, n, c->o->json) == -1)
			host_failed(c, HOST_LOCAL, NULL, "cannot hold its "
			    "output: %s", strerror(errno));
		return true;
	}
	if (c->o->lines) {
		c->next_off += lines_take(&c->lines, fd, p, n);
		if (lines_oom(&c->lines))
			host_failed(c, HOST_LOCAL, NULL, "out of memory");
		return c->next_off == f->len || c->phase != PH_OPEN;
	}
	if (c->blk.cnt > 0 && (c->blk.fd != fd || c->blk.cnt == OUTPUT_IOV_MAX))
		return false;
	c->blk.fd = fd;
	c->blk.iov[c->blk.cnt++] = (struct iovec){
	    .iov_base = (void *)(uintptr_t)p, .iov_len = n };
	return true;
}

/*
 * -L: straight to the local connection, as much as it takes (false:
 * the rest waits for POLLOUT).  A local client that went away ends the
 * forward quietly, as ssh closes its channel.
 */
static bool
take_stream(struct conn *c, struct frame *f)
{
	ssize_t n = send(c->stream, f->payload + c->next_off,
	    f->len - c->next_off, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n >= 0)
		c->next_off += (size_t)n;
	else if (errno != EAGAIN && errno != EINTR) {
		link_reset(&c->link);
		c->h->fail = HOST_LOCAL;
		finish(c, 0);
		return true;
	}
	return c->next_off == f->len;
}

static void
submit_block(struct conn *c)
{
	if (c->blk_queued)
		return;
	if (c->lines.blocklen > 0) {
		c->blk.fd = c->lines.block_fd;
		c->blk.iov[0] = (struct iovec){ .iov_base = c->lines.block,
		    .iov_len = c->lines.blocklen };
		c->blk.cnt = 1;
	}
	if (c->blk.cnt == 0)
		return;
	c->blk.done = block_done;
	c->blk.arg = c;
	c->blk_queued = true;
	output_submit(&c->blk);
}

/*
 * A closed local stdout (rexec host yes | head -1) ends rexec quietly with
 * 128+SIGPIPE, as the same command run locally would end; closing the
 * connection makes the server end the remote command at once.
 */
static void
block_done(struct outblk *b, int err)
{
	struct conn *c = b->arg;

	c->blk_queued = false;
	c->blk.cnt = 0;
	lines_written(&c->lines);
	if (err == EPIPE)
		output_closed(c, b->fd);
	else if (err != 0)
		host_failed(c, HOST_LOCAL, NULL, "write to %s: %s",
		    b->fd == 1 ? "stdout" : "stderr", strerror(err));
	else if (c->phase == PH_OPEN)
		drain_frames(c);
}

/* Quietly, with the status of a local command killed by SIGPIPE. */
static void
output_closed(struct conn *c, int fd)
{
	if (c->phase != PH_OPEN)
		return;
	c->h->fail = HOST_LOCAL;
	snprintf(c->h->reason, sizeof(c->h->reason), "%s closed",
	    fd == 1 ? "stdout" : "stderr");
	finish(c, 128 + SIGPIPE);
}

static void
on_frame(struct conn *c, struct frame *f)
{
	switch (f->type) {
	case FRAME_STARTED:
		on_started_frame(c, f);
		break;
	case FRAME_EXIT:
		on_exit_frame(c, f);
		break;
	case FRAME_ERROR:
		on_error_frame(c, f);
		break;
	default:
		host_failed(c, HOST_LOCAL, NULL, "protocol error: "
		    "unexpected %s frame", frame_type_name(f->type));
		break;
	}
}

static void
on_started_frame(struct conn *c, struct frame *f)
{
	struct proto_error e;
	pid_t pid;

	if (msg_parse_started(f, &pid, &e) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
		    e.message);
		return;
	}
	if (c->stream != -1) {
		c->started = true;
		return;
	}
	if (term_started(msg_started_pty(f)) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "the server gave no "
		    "pseudo-terminal (too old?)");
		return;
	}
	c->started = true;
	if (c->o->outdir != NULL && !open_files(c))
		return;
	conn_send_winsize(c);	/* resized before it started */
	if (c->link.in_open)
		instore_started();
}

static void
on_exit_frame(struct conn *c, struct frame *f)
{
	struct exit_status st;
	struct proto_error e;

	if (msg_parse_exit(f, &st, &e) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
		    e.message);
		return;
	}
	if (c->o->copy != NULL && c->stream == -1 && !copy_outcome(c, &st))
		return;
	/* The far side's end: ours, once all it sent is written. */
	if (c->stream != -1)
		(void)shutdown(c->stream, SHUT_WR);
	c->h->exit = st;
	c->h->fail = HOST_OK;
	finish(c, st.exited ? st.code & 0xff : 128 + st.signal);
}

/*
 * Fleet copy: the stream of --rcopy goes to its spool (true: taken);
 * the helper's stderr goes on as usual, its last line noted.
 */
static bool
take_copy(struct conn *c, int fd, const unsigned char *p, size_t n)
{
	if (fd == 1 && c->spool != -1) {
		if (copy_spool_write(c->spool, p, n) == -1) {
			link_reset(&c->link);
			host_failed(c, HOST_LOCAL, NULL, "cannot spool its "
			    "copy: %s", strerror(errno));
		}
		return true;
	}
	for (size_t i = 0; fd == 2 && i < n; i++) {
		if (p[i] != '\n') {
			if (c->errcur < sizeof(c->errbuf) - 1)
				c->errbuf[c->errcur++] = (char)p[i];
		} else if (c->errcur > 0) {
			memcpy(c->errline, c->errbuf, c->errcur);
			c->errline[c->errcur] = '\0';
			c->errcur = 0;
		}
	}
	return false;
}

/* Exited 0: --rcopy extracts (false: that failed the host); else the
 * helper's last line is the reason the summary gives. */
static bool
copy_outcome(struct conn *c, const struct exit_status *st)
{
	char err[sizeof(c->h->reason)];

	if (st->exited && st->code == 0) {
		if (c->spool == -1 || copy_extract(c->o->copy, c->spool,
		    c->h->label, err, sizeof(err)) == 0)
			return true;
		host_failed(c, HOST_LOCAL, NULL, "%s", err);
		return false;
	}
	if (c->errcur > 0)
		text_safe(c->h->reason, sizeof(c->h->reason), c->errbuf,
		    c->errcur, failmsg_flags());
	else if (c->errline[0] != '\0')
		text_safe_str(c->h->reason, sizeof(c->h->reason), c->errline,
		    failmsg_flags());
	return true;
}

static void
on_error_frame(struct conn *c, struct frame *f)
{
	struct proto_error err, e;
	const char *code;

	if (msg_parse_error(f, &err, &e) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
		    e.message);
		return;
	}
	code = err_code_name(err.code);
	if (err.code == ERR_BUSY && !c->started &&
	    c->link.attempts < BUSY_RETRIES && !c->signalled)
		busy_backoff(c);
	else if (err.code == ERR_AUTH)
		host_failed(c, HOST_SERVER, code, "authentication refused: %s",
		    err.message);
	else
		host_failed(c, HOST_SERVER, code, "%s: %s", code, err.message);
}

/* --outdir: the files exist once the command started, even if it never
 * writes; false when they cannot (the host failed). */
static bool
open_files(struct conn *c)
{
	char why[sizeof(c->h->reason)];

	if (c->file[1] != -1)
		return true;
	if (outdir_open(c->o->outdir, c->h->label, c->file, why,
	    sizeof(why)) == 0)
		return true;
	host_failed(c, HOST_LOCAL, NULL, "%s", why);
	return false;
}

/* "busy": the server ran nothing and read none of stdin: again later. */
static void
busy_backoff(struct conn *c)
{
	decoder_free(&c->dec);
	decoder_init(&c->dec);
	link_backoff(&c->link, BUSY_BACKOFF_MS << c->link.attempts);
}

/* Once finished: partial lines end with a newline, then it is done. */
static void
close_tail(struct conn *c)
{
	if (c->blk_queued)
		return;
	for (int fd = 1; fd <= 2; fd++)
		if (c->o->lines && lines_partial(&c->lines, fd) &&
		    lines_close(&c->lines, fd)) {
			submit_block(c);
			return;
		}
	c->phase = PH_DONE;
	c->h->done = true;
	c->h->duration_ms = now_ms() - c->h->t0;
	link_close(&c->link);
	results_host_done(c->h, c->o);
}

/* The outcome is known; a host that was never connected stays so. */
static void
finish(struct conn *c, int status)
{
	if (c->phase != PH_OPEN)
		return;
	c->phase = PH_TAIL;
	c->h->status = status;
	if (!link_up(&c->link))
		link_close(&c->link);
}

/* Peer-supplied text is printed too: it is made safe once, here. */
static void
host_failed(struct conn *c, enum host_fail kind, const char *code,
    const char *fmt, ...)
{
	struct host *h = c->h;
	va_list ap;

	if (c->phase != PH_OPEN)
		return;
	h->fail = kind;
	snprintf(h->errcode, sizeof(h->errcode), "%s", code ? code : "");
	va_start(ap, fmt);
	failmsg_vreason(h->reason, sizeof(h->reason), failmsg_flags(), fmt,
	    ap);
	va_end(ap);
	if (kind != HOST_NOT_STARTED || !c->o->fleet)
		results_report(h);
	finish(c, 255);
}
