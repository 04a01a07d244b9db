#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "encode.h"
#include "fail.h"
#include "frame.h"
#include "io.h"
#include "message.h"
#include "session.h"
#include "signals.h"

/* One write(2) at most per poll round, so signals are seen in between. */
#define WRITE_CHUNK		(64 * 1024)
#define SIGQ_MAX		16
/* The third SIGINT within this window gives up on the command. */
#define INTERRUPT_WINDOW_MS	2000

enum stdin_state { STDIN_OPEN, STDIN_EOF_PENDING, STDIN_DONE };
enum out_kind { OUT_NONE, OUT_CONTROL, OUT_STDIN, OUT_EOF };
enum { PFD_SOCK, PFD_SIG, PFD_STDIN, PFD_WRITE, PFD_COUNT };

struct session {
	int		 sock;
	int		 sigfd;
	bool		 finished;
	int		 status;

	struct decoder	 dec;
	bool		 sock_eof;
	struct frame	 held;		/* data frame being written out */
	int		 wfd;		/* -1: nothing held */
	size_t		 woff;

	json_t		*exec;		/* borrowed; NULL once framed */
	bool		 may_retry;
	struct frame_out out;
	enum out_kind	 out_kind;
	bool		 peer_gone;	/* sending failed: stop sending */

	bool		 started;	/* the command runs: stdin may flow */
	enum stdin_state in_state;
	unsigned char	*inbuf;
	size_t		 inlen;

	bool		 signalled;	/* the user asked for something */
	int		 sigq[SIGQ_MAX];
	size_t		 nsig;
	int		 nsigint;
	long long	 sigint_ms[2];	/* the two latest SIGINTs */
};

static void	 prepare_out(struct session *);
static void	 set_events(const struct session *, struct pollfd *);
static void	 poll_round(struct session *);
static void	 on_signals(struct session *);
static void	 on_sock_readable(struct session *);
static void	 drain_frames(struct session *);
static void	 on_frame(struct session *, struct frame *);
static void	 on_exit_frame(struct session *, struct frame *);
static void	 on_error_frame(struct session *, struct frame *);
static void	 on_output_writable(struct session *);
static void	 on_stdin_readable(struct session *);
static void	 on_sock_writable(struct session *);
static void	 finish(struct session *, int status);

int
session_run(int sock, int sigfd, json_t *exec, bool stdin_open,
    bool may_retry)
{
	struct session s = {
		.sock = sock, .sigfd = sigfd, .wfd = -1, .exec = exec,
		.may_retry = may_retry,
		.in_state = stdin_open ? STDIN_OPEN : STDIN_DONE,
	};

	decoder_init(&s.dec);
	if (stdin_open && (s.inbuf = malloc(FRAME_DATA_CHUNK)) == NULL)
		finish(&s, fail("out of memory"));
	/* The exec frame fits the empty socket buffer: no poll for it. */
	prepare_out(&s);
	if (s.out_kind != OUT_NONE)
		on_sock_writable(&s);
	while (!s.finished) {
		prepare_out(&s);
		if (!s.finished)
			poll_round(&s);
	}
	if (s.wfd != -1)
		frame_clear(&s.held);
	if (s.out_kind != OUT_NONE)
		frame_out_release(&s.out);
	decoder_free(&s.dec);
	free(s.inbuf);
	return s.status;
}

static void
finish(struct session *s, int status)
{
	if (!s->finished) {
		s->finished = true;
		s->status = status;
	}
}

/* Frames to send, in order: exec, signals, stdin data, eof. */
static void
prepare_out(struct session *s)
{
	json_t *hdr;

	if (s->out_kind != OUT_NONE || s->peer_gone)
		return;
	if (s->exec != NULL) {
		if (frame_out_json(&s->out, s->exec, NULL, 0) == -1)
			finish(s, fail("cannot encode the request: %s",
			    strerror(errno)));
		else
			s->out_kind = OUT_CONTROL;
		s->exec = NULL;
	} else if (s->nsig > 0) {
		hdr = msg_signal(s->sigq[0]);
		memmove(s->sigq, s->sigq + 1, --s->nsig * sizeof(s->sigq[0]));
		if (hdr != NULL && frame_out_json(&s->out, hdr, NULL, 0) == 0)
			s->out_kind = OUT_CONTROL;
		json_decref(hdr);
	} else if (s->inlen > 0) {
		frame_out_data(&s->out, FRAME_STDIN, s->inbuf, s->inlen);
		s->out_kind = OUT_STDIN;
	} else if (s->in_state == STDIN_EOF_PENDING) {
		frame_out_data(&s->out, FRAME_EOF, NULL, 0);
		s->out_kind = OUT_EOF;
	}
}

/* The socket is read only once the held frame is written out;
 * back-pressure: stdin is read only once its last chunk is sent; and only
 * once the command started, so a refused request consumes none of it. */
static void
set_events(const struct session *s, struct pollfd *pfd)
{
	for (int i = 0; i < PFD_COUNT; i++)
		pfd[i] = (struct pollfd){ .fd = -1 };
	pfd[PFD_SIG] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	if (s->wfd == -1 && !s->sock_eof)
		pfd[PFD_SOCK].events |= POLLIN;
	if (s->out_kind != OUT_NONE)
		pfd[PFD_SOCK].events |= POLLOUT;
	if (pfd[PFD_SOCK].events != 0)
		pfd[PFD_SOCK].fd = s->sock;
	if (s->in_state == STDIN_OPEN && s->started && s->inlen == 0 &&
	    !s->peer_gone)
		pfd[PFD_STDIN] = (struct pollfd){ .fd = 0, .events = POLLIN };
	if (s->wfd != -1)
		pfd[PFD_WRITE] = (struct pollfd){ .fd = s->wfd,
		    .events = POLLOUT };
}

static void
poll_round(struct session *s)
{
	struct pollfd pfd[PFD_COUNT];

	set_events(s, pfd);
	if (poll(pfd, PFD_COUNT, -1) == -1) {
		if (errno != EINTR)
			finish(s, fail("poll: %s", strerror(errno)));
		return;
	}
	if (pfd[PFD_SIG].revents != 0)
		on_signals(s);
	if (!s->finished && pfd[PFD_WRITE].revents != 0)
		on_output_writable(s);
	if (!s->finished && (pfd[PFD_SOCK].revents & ~POLLOUT) != 0 &&
	    s->wfd == -1 && !s->sock_eof)
		on_sock_readable(s);
	if (!s->finished && pfd[PFD_STDIN].revents != 0)
		on_stdin_readable(s);
	if (!s->finished && (pfd[PFD_SOCK].revents & (POLLOUT | POLLERR)) &&
	    s->out_kind != OUT_NONE)
		on_sock_writable(s);
}

static void
on_signals(struct session *s)
{
	int signo;

	while ((signo = signals_next(s->sigfd)) > 0) {
		s->signalled = true;
		if (signo == SIGINT) {
			long long now = now_ms();
			if (s->nsigint >= 2 &&
			    now - s->sigint_ms[0] <= INTERRUPT_WINDOW_MS) {
				finish(s, fail("interrupted"));
				return;
			}
			s->sigint_ms[0] = s->sigint_ms[1];
			s->sigint_ms[1] = now;
			s->nsigint++;
		}
		if (s->nsig < SIGQ_MAX)
			s->sigq[s->nsig++] = signo;
	}
}

static void
on_sock_readable(struct session *s)
{
	ssize_t n = decoder_read(&s->dec, s->sock);

	if (n == -1 && errno == EAGAIN)
		return;
	if (n == -1) {
		finish(s, fail("connection lost: %s", strerror(errno)));
		return;
	}
	if (n == 0) {
		s->sock_eof = true;
		finish(s, fail("connection lost before the command's exit "
		    "status"));
		return;
	}
	drain_frames(s);
}

/* Handles every complete frame, stopping at one whose bytes are pending. */
static void
drain_frames(struct session *s)
{
	struct frame f;
	int r;

	while (!s->finished && s->wfd == -1 &&
	    (r = decoder_next(&s->dec, &f)) != 0) {
		if (r == -1) {
			struct proto_error e;
			decoder_describe_error(&s->dec, &e);
			finish(s, fail("protocol error: %s", e.message));
			return;
		}
		on_frame(s, &f);
	}
}

static void
on_frame(struct session *s, struct frame *f)
{
	struct proto_error e;
	pid_t pid;

	switch (f->type) {
	case FRAME_STDOUT:
	case FRAME_STDERR:
		if (f->len > 0) {
			s->held = *f;
			s->wfd = f->type == FRAME_STDOUT ? 1 : 2;
			s->woff = 0;
			return;
		}
		break;
	case FRAME_STARTED:
		if (msg_parse_started(f, &pid, &e) == -1)
			finish(s, fail("protocol error: %s", e.message));
		s->started = true;
		break;
	case FRAME_EXIT:
		on_exit_frame(s, f);
		break;
	case FRAME_ERROR:
		on_error_frame(s, f);
		break;
	default:
		finish(s, fail("protocol error: unexpected %s frame",
		    frame_type_name(f->type)));
		break;
	}
	frame_clear(f);
}

static void
on_exit_frame(struct session *s, struct frame *f)
{
	struct exit_status st;
	struct proto_error e;

	if (msg_parse_exit(f, &st, &e) == -1)
		finish(s, fail("protocol error: %s", e.message));
	else if (st.exited)
		finish(s, st.code & 0xff);
	else
		finish(s, 128 + st.signal);
}

static void
on_error_frame(struct session *s, struct frame *f)
{
	struct proto_error err, e;

	if (msg_parse_error(f, &err, &e) == -1)
		finish(s, fail("protocol error: %s", e.message));
	else if (err.code == ERR_BUSY && !s->started && s->may_retry &&
	    !s->signalled)
		finish(s, SESSION_BUSY);
	else if (err.code == ERR_AUTH)
		finish(s, fail("authentication refused: %s", err.message));
	else
		finish(s, fail("%s: %s", err_code_name(err.code),
		    err.message));
}

/*
 * A closed local stdout (rexec host yes | head -1) ends rexec quietly with
 * 128+SIGPIPE, as the same command run locally would end; closing the
 * connection makes the server end the remote command at once.
 */
static void
on_output_writable(struct session *s)
{
	size_t left = s->held.len - s->woff;
	ssize_t n;

	n = write(s->wfd, s->held.payload + s->woff,
	    left < WRITE_CHUNK ? left : WRITE_CHUNK);
	if (n == -1) {
		if (errno == EPIPE)
			finish(s, 128 + SIGPIPE);
		else if (errno != EINTR && errno != EAGAIN)
			finish(s, fail("write to %s: %s",
			    s->wfd == 1 ? "stdout" : "stderr", strerror(errno)));
		return;
	}
	if ((s->woff += (size_t)n) < s->held.len)
		return;
	frame_clear(&s->held);
	s->wfd = -1;
	drain_frames(s);
}

static void
on_stdin_readable(struct session *s)
{
	ssize_t n = read(0, s->inbuf, FRAME_DATA_CHUNK);

	if (n > 0)
		s->inlen = (size_t)n;
	else if (n == 0 || (errno != EINTR && errno != EAGAIN))
		s->in_state = STDIN_EOF_PENDING;
}

static void
on_sock_writable(struct session *s)
{
	int r = frame_out_send(&s->out, s->sock);

	if (r == 0)
		return;
	if (r == 1) {
		if (s->out_kind == OUT_STDIN)
			s->inlen = 0;
		else if (s->out_kind == OUT_EOF)
			s->in_state = STDIN_DONE;
	} else {
		/* The server stopped reading; its exit frame may still come. */
		s->peer_gone = true;
		s->in_state = STDIN_DONE;
		s->inlen = 0;
		s->nsig = 0;
	}
	frame_out_release(&s->out);
	s->out_kind = OUT_NONE;
}
