#include <sys/random.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

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
#include "decode.h"
#include "encode.h"
#include "failmsg.h"
#include "frame.h"
#include "frameio.h"
#include "instore.h"
#include "lines.h"
#include "message.h"
#include "output.h"
#include "results.h"
#include "terminal.h"
#include "textsafe.h"

/* Retries after "busy", the first one BUSY_BACKOFF_MS (doubling) later. */
#define BUSY_RETRIES		4
#define BUSY_BACKOFF_MS		100u
#define CTLQ_MAX		16
/* Stdin read back from the spill file, per connection. */
#define SCRATCH_LEN		(64 * 1024)

enum phase { PH_CONNECT, PH_RUN, PH_BACKOFF, PH_DONE };
enum out_kind { OUT_NONE, OUT_CONTROL, OUT_STDIN, OUT_EOF };

struct conn {
	struct host			*h;
	const struct engine_opts	*o;
	enum phase			 phase;
	int				 sock;
	const struct addrinfo		*ai;	/* the address tried */
	int				 saved_errno;
	long long			 deadline;
	int				 attempt;
	bool				 finished;

	struct decoder			 dec;
	bool				 sock_eof;
	bool				 sock_rd;	/* may hold bytes */
	bool				 sock_wr;	/* may take bytes */

	/* Output: payloads (raw) or lines, written by output.c; the
	 * socket is not read until they are out (back-pressure). */
	struct outblk			 blk;
	bool				 blk_queued;
	struct lines			 lines;
	struct frame			 next;	/* waits for the block */
	bool				 have_next;
	size_t				 next_off;	/* of its payload, taken */

	json_t				*exec;	/* NULL once framed */
	json_t				*ctl[CTLQ_MAX];
	size_t				 nctl;
	struct frame_out		 out;
	enum out_kind			 out_kind;
	bool				 peer_gone;	/* stop sending */

	bool				 started;
	bool				 in_open;
	unsigned long long		 in_off;
	size_t				 in_len;	/* in the frame out */
	unsigned char			*scratch;
	bool				 signalled;
};

static void	 try_connect(struct conn *);
static void	 connected(struct conn *);
static void	 check_connect(struct conn *);
static void	 next_address(struct conn *, int err);
static void	 read_sock(struct conn *);
static void	 drain_frames(struct conn *);
static bool	 take_frame(struct conn *, struct frame *);
static bool	 take_output(struct conn *, struct frame *);
static void	 submit_block(struct conn *);
static void	 block_done(struct outblk *, int err);
static void	 output_closed(struct conn *, int fd);
static void	 on_frame(struct conn *, struct frame *);
static void	 on_exit_frame(struct conn *, struct frame *);
static void	 on_error_frame(struct conn *, struct frame *);
static void	 busy_backoff(struct conn *);
static void	 prepare_out(struct conn *);
static void	 send_out(struct conn *);
static void	 close_tail(struct conn *);
static void	 finish(struct conn *, int status);
static void	 host_failed(struct conn *, enum host_fail, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static unsigned	 jitter(unsigned bound);

struct conn *
conn_start(struct host *h, const struct engine_opts *o)
{
	struct conn *c = calloc(1, sizeof(*c));
	char prefix[LINES_PREFIX_MAX];
	size_t plen;

	if (c == NULL) {
		h->done = true;
		h->status = results_fail_oom(h);
		return NULL;
	}
	c->h = h;
	c->o = o;
	c->sock = -1;
	c->in_open = o->stdin_open;
	decoder_init(&c->dec);
	/* A host name from a list file is foreign text too. */
	text_safe_str(prefix, sizeof(prefix) - 2, h->label, failmsg_flags());
	plen = strlen(prefix);
	memcpy(prefix + plen, ": ", 3);
	lines_init(&c->lines, o->prefix ? prefix : "");
	for (int fd = 1; fd <= 2; fd++)
		if (o->safe[fd])
			lines_make_safe(&c->lines, fd, o->safe_flags);
	h->t0 = now_ms();
	c->ai = h->ai;
	try_connect(c);
	return c;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->sock != -1)
		close(c->sock);
	if (c->have_next)
		frame_clear(&c->next);
	if (c->out_kind != OUT_NONE)
		frame_out_release(&c->out);
	for (size_t i = 0; i < c->nctl; i++)
		json_decref(c->ctl[i]);
	json_decref(c->exec);
	decoder_free(&c->dec);
	lines_free(&c->lines);
	free(c->scratch);
	free(c);
}

/* Addresses from c->ai on, until one connects or is in progress. */
static void
try_connect(struct conn *c)
{
	const struct addrinfo *ai;

	for (; (ai = c->ai) != NULL; c->ai = ai->ai_next) {
		c->sock = socket(ai->ai_family, ai->ai_socktype |
		    SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
		if (c->sock == -1) {
			c->saved_errno = errno;
			continue;
		}
		if (connect(c->sock, ai->ai_addr, ai->ai_addrlen) == 0) {
			connected(c);
			return;
		}
		if (errno == EINPROGRESS) {
			c->phase = PH_CONNECT;
			c->deadline = now_ms() + c->o->connect_timeout_ms;
			return;
		}
		c->saved_errno = errno;
		close(c->sock);
		c->sock = -1;
	}
	host_failed(c, HOST_CONNECT, "connect", "cannot connect to port %s: %s",
	    c->h->port, strerror(c->saved_errno ? c->saved_errno :
	    ECONNREFUSED));
}

static void
next_address(struct conn *c, int err)
{
	c->saved_errno = err;
	close(c->sock);
	c->sock = -1;
	c->ai = c->ai->ai_next;
	try_connect(c);
}

static void
check_connect(struct conn *c)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr != 0)
		next_address(c, soerr);
	else
		connected(c);
}

static void
connected(struct conn *c)
{
	int one = 1;

	/* The exec frame goes out at once: no Nagle delay. */
	(void)setsockopt(c->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->phase = PH_RUN;
	c->deadline = 0;
	c->sock_wr = true;
	c->sock_rd = c->sock_eof = false;
	json_decref(c->exec);
	if (c->h->user == NULL) {
		c->exec = json_incref(c->o->exec);
	} else if ((c->exec = json_copy(c->o->exec)) == NULL ||
	    json_object_set_new(c->exec, "user",
	    json_string(c->h->user)) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "out of memory");
	}
}

void
conn_pollfd(const struct conn *c, struct pollfd *pfd, long long *deadline)
{
	*pfd = (struct pollfd){ .fd = -1 };
	if (c->phase == PH_CONNECT) {
		*pfd = (struct pollfd){ .fd = c->sock, .events = POLLOUT };
		deadline_merge(deadline, c->deadline);
	} else if (c->phase == PH_BACKOFF) {
		deadline_merge(deadline, c->deadline);
	}
	if (c->phase != PH_RUN || c->finished)
		return;
	if (!c->blk_queued && !c->sock_eof && !c->sock_rd &&
	    output_has_room())
		pfd->events |= POLLIN;
	if (c->out_kind != OUT_NONE && !c->sock_wr)
		pfd->events |= POLLOUT;
	if (pfd->events != 0)
		pfd->fd = c->sock;
}

void
conn_ready(struct conn *c, short revents)
{
	if (c->phase == PH_CONNECT) {
		check_connect(c);
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		c->sock_rd = true;
	if (revents & (POLLOUT | POLLHUP | POLLERR))
		c->sock_wr = true;
}

void
conn_tick(struct conn *c, long long now)
{
	if (c->deadline == 0 || now < c->deadline)
		return;
	c->deadline = 0;
	if (c->phase == PH_CONNECT) {
		next_address(c, ETIMEDOUT);
	} else if (c->phase == PH_BACKOFF) {
		c->ai = c->h->ai;
		try_connect(c);
	}
}

bool
conn_pump(struct conn *c)
{
	if (c->phase != PH_RUN)
		return false;
	if (c->finished) {
		close_tail(c);
		return false;
	}
	if (!c->blk_queued && !c->sock_eof && c->sock_rd && output_has_room())
		read_sock(c);
	if (!c->finished)
		prepare_out(c);
	if (!c->finished && c->out_kind != OUT_NONE && c->sock_wr)
		send_out(c);
	if (!c->finished)
		prepare_out(c);
	if (c->finished) {
		close_tail(c);
		return false;
	}
	return (!c->blk_queued && !c->sock_eof && c->sock_rd &&
	    output_has_room()) || (c->out_kind != OUT_NONE && c->sock_wr);
}

bool
conn_done(const struct conn *c)
{
	return c->phase == PH_DONE;
}

bool
conn_connected(const struct conn *c)
{
	return c->phase == PH_RUN;
}

bool
conn_started(const struct conn *c)
{
	return c->started;
}

enum conn_stdin
conn_stdin(const struct conn *c)
{
	if (!c->in_open || c->peer_gone || c->finished ||
	    c->phase == PH_DONE)
		return CONN_STDIN_NONE;
	if (c->in_off == instore_end() && c->out_kind != OUT_STDIN)
		return CONN_STDIN_AT_END;
	return CONN_STDIN_BEHIND;
}

/* Not yet running: it is not started (the user asked to stop). */
void
conn_signal(struct conn *c, int signo)
{
	json_t *hdr;

	c->signalled = true;
	if (c->finished || c->phase == PH_DONE)
		return;
	if (c->phase != PH_RUN) {
		host_failed(c, HOST_NOT_STARTED, NULL, "interrupted");
		return;
	}
	if (c->peer_gone || (hdr = msg_signal(signo)) == NULL)
		return;
	if (conn_send_frame(c, hdr) == -1)
		json_decref(hdr);
}

/* A winsize frame when the local terminal's size changed since the last. */
void
conn_send_winsize(struct conn *c)
{
	json_t *hdr = term_winsize_frame();

	if (hdr != NULL && conn_send_frame(c, hdr) == -1)
		json_decref(hdr);
}

int
conn_send_frame(struct conn *c, json_t *hdr)
{
	if (c->nctl == CTLQ_MAX)
		return -1;
	c->ctl[c->nctl++] = hdr;
	return 0;
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
	struct linger now = { .l_onoff = 1, .l_linger = 0 };

	if (c->finished || c->phase == PH_DONE)
		return;
	if (c->sock != -1)
		(void)setsockopt(c->sock, SOL_SOCKET, SO_LINGER, &now,
		    sizeof(now));
	host_failed(c, HOST_LOCAL, NULL, "%s", why);
}

/* A read shorter than the room emptied the socket: the next one would
 * most likely fail with EAGAIN, so poll instead of trying it. */
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
	if ((n = read(c->sock, p, room)) > 0) {
		decoder_commit(&c->dec, (size_t)n);
		c->sock_rd = (size_t)n == room;
		drain_frames(c);
	} else if (n == 0) {
		c->sock_eof = true;
		host_failed(c, HOST_LOCAL, NULL, "connection lost before the "
		    "command's exit status");
	} else if (errno == EAGAIN) {
		c->sock_rd = false;
	} else if (errno != EINTR) {
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

	while (!c->finished) {
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
		return c->next_off == f->len || c->finished;
	}
	if (c->blk.cnt > 0 && (c->blk.fd != fd || c->blk.cnt == OUTPUT_IOV_MAX))
		return false;
	c->blk.fd = fd;
	c->blk.iov[c->blk.cnt++] = (struct iovec){
	    .iov_base = (void *)(uintptr_t)p, .iov_len = n };
	return true;
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
	else if (!c->finished)
		drain_frames(c);
}

/* Quietly, with the status of a local command killed by SIGPIPE. */
static void
output_closed(struct conn *c, int fd)
{
	if (c->finished)
		return;
	c->h->fail = HOST_LOCAL;
	snprintf(c->h->reason, sizeof(c->h->reason), "%s closed",
	    fd == 1 ? "stdout" : "stderr");
	finish(c, 128 + SIGPIPE);
}

static void
on_frame(struct conn *c, struct frame *f)
{
	struct proto_error e;
	pid_t pid;

	switch (f->type) {
	case FRAME_STARTED:
		if (msg_parse_started(f, &pid, &e) == -1) {
			host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
			    e.message);
			break;
		}
		if (term_started(msg_started_pty(f)) == -1) {
			host_failed(c, HOST_LOCAL, NULL, "the server gave no "
			    "pseudo-terminal (too old?)");
			break;
		}
		c->started = true;
		conn_send_winsize(c);	/* resized before it started */
		if (c->in_open)
			instore_started();
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
on_exit_frame(struct conn *c, struct frame *f)
{
	struct exit_status st;
	struct proto_error e;

	if (msg_parse_exit(f, &st, &e) == -1) {
		host_failed(c, HOST_LOCAL, NULL, "protocol error: %s",
		    e.message);
		return;
	}
	c->h->exit = st;
	c->h->fail = HOST_OK;
	finish(c, st.exited ? st.code & 0xff : 128 + st.signal);
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
	    c->attempt < BUSY_RETRIES && !c->signalled)
		busy_backoff(c);
	else if (err.code == ERR_AUTH)
		host_failed(c, HOST_SERVER, code, "authentication refused: %s",
		    err.message);
	else
		host_failed(c, HOST_SERVER, code, "%s: %s", code, err.message);
}

/*
 * "busy" means the server ran nothing and read none of stdin: try again a
 * few times, backing off at random so refused clients do not return
 * together.
 */
static void
busy_backoff(struct conn *c)
{
	unsigned base = BUSY_BACKOFF_MS << c->attempt++;

	close(c->sock);
	c->sock = -1;
	decoder_free(&c->dec);
	decoder_init(&c->dec);
	if (c->out_kind != OUT_NONE)
		frame_out_release(&c->out);
	c->out_kind = OUT_NONE;
	c->phase = PH_BACKOFF;
	c->deadline = now_ms() + base + jitter(base);
}

/* Frames to send, in order: exec, control frames, stdin data, eof. */
static void
prepare_out(struct conn *c)
{
	const void *p;
	size_t n;

	if (c->out_kind != OUT_NONE || c->peer_gone)
		return;
	if (c->exec != NULL) {
		if (frame_out_json(&c->out, c->exec, NULL, 0) == -1)
			host_failed(c, HOST_LOCAL, NULL, "cannot encode the "
			    "request: %s", strerror(errno));
		else
			c->out_kind = OUT_CONTROL;
		json_decref(c->exec);
		c->exec = NULL;
	} else if (c->nctl > 0) {
		json_t *hdr = c->ctl[0];
		memmove(c->ctl, c->ctl + 1, --c->nctl * sizeof(c->ctl[0]));
		if (frame_out_json(&c->out, hdr, NULL, 0) == 0)
			c->out_kind = OUT_CONTROL;
		json_decref(hdr);
	} else if (!c->in_open || !c->started) {
		return;
	} else if (c->in_off < instore_end()) {
		if (instore_spilled() && c->scratch == NULL &&
		    (c->scratch = malloc(SCRATCH_LEN)) == NULL) {
			host_failed(c, HOST_LOCAL, NULL, "out of memory");
			return;
		}
		n = instore_get(c->in_off, FRAME_DATA_CHUNK, &p, c->scratch,
		    SCRATCH_LEN);
		if (n == 0) {
			host_failed(c, HOST_LOCAL, NULL,
			    "cannot read the kept input");
			return;
		}
		frame_out_data(&c->out, FRAME_STDIN, p, n);
		c->in_len = n;
		c->out_kind = OUT_STDIN;
	} else if (instore_eof()) {
		frame_out_data(&c->out, FRAME_EOF, NULL, 0);
		c->out_kind = OUT_EOF;
	}
}

static void
send_out(struct conn *c)
{
	int r = frame_out_send(&c->out, c->sock);

	if (r == 0) {
		c->sock_wr = false;
		return;
	}
	if (r == 1) {
		if (c->out_kind == OUT_STDIN)
			c->in_off += c->in_len;
		else if (c->out_kind == OUT_EOF)
			c->in_open = false;
	} else {
		/* The server stopped reading; its exit frame may still come. */
		c->peer_gone = true;
		c->in_open = false;
	}
	frame_out_release(&c->out);
	c->out_kind = OUT_NONE;
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
	if (c->sock != -1) {
		close(c->sock);
		c->sock = -1;
	}
	results_host_done(c->h, c->o);
}

static void
finish(struct conn *c, int status)
{
	if (c->finished)
		return;
	c->finished = true;
	c->h->status = status;
	if (c->phase != PH_RUN) {
		c->phase = PH_RUN;	/* for close_tail */
		if (c->sock != -1) {
			close(c->sock);
			c->sock = -1;
		}
	}
}

/* Peer-supplied text is printed too: it is made safe once, here. */
static void
host_failed(struct conn *c, enum host_fail kind, const char *code,
    const char *fmt, ...)
{
	struct host *h = c->h;
	va_list ap;

	if (c->finished)
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

/* Only spreads retries apart, so any entropy will do. */
static unsigned
jitter(unsigned bound)
{
	unsigned r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned)getpid() * 2654435761u ^ (unsigned)now_ms();
	return r % bound;
}
