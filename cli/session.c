#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "decode.h"
#include "encode.h"
#include "fail.h"
#include "frame.h"
#include "frameio.h"
#include "message.h"
#include "session.h"
#include "signals.h"
#include "terminal.h"

/* Most bytes per blocking write(2) to an output polled first (a tty):
 * poll says there is room, not how much, and signals wait meanwhile. */
#define WRITE_CHUNK		(64 * 1024)
/* Pipe size asked for stdin: reads of a whole FRAME_DATA_CHUNK when the
 * writer is ahead (the default 64 KiB makes 4 frames of each chunk). */
#define STDIN_PIPE_SIZE		(1024 * 1024)
/* Payloads per writev: a 256 KiB read of the server's 8 KiB frames. */
#define OUT_IOV_MAX		64
/* Rounds in a row that did not wait before one poll that does not wait:
 * a stream where nothing ever blocks must still see signals. */
#define BUSY_ROUNDS_MAX		32
#define SIGQ_MAX		16
/* The third SIGINT within this window gives up on the command. */
#define INTERRUPT_WINDOW_MS	2000

enum stdin_state { STDIN_OPEN, STDIN_EOF_PENDING, STDIN_DONE };
enum out_kind { OUT_NONE, OUT_CONTROL, OUT_STDIN, OUT_EOF };
enum { PFD_SOCK, PFD_SIG, PFD_STDIN, PFD_WRITE, PFD_COUNT };

/*
 * How stdout or stderr is written without ever changing its file status
 * flags, which rexec shares with other processes (a tty, a pipe):
 * RWF_NOWAIT where the kernel has it (pipes, sockets, /dev/null); else
 * a blocking write, right away for regular files, after a poll otherwise.
 */
enum sink_mode { SINK_NOWAIT, SINK_DIRECT, SINK_POLL };

struct sink {
	enum sink_mode	 mode;
	bool		 ready;		/* may write now, without a poll */
};

struct session {
	int		 sock;
	int		 sigfd;
	bool		 finished;
	int		 status;
	unsigned	 busy_rounds;

	struct decoder	 dec;
	bool		 sock_eof;
	bool		 sock_rd;	/* may hold bytes: read before polling */
	bool		 sock_wr;	/* may take bytes: send before polling */

	/* Output payloads in the decoder's buffer, written with one writev;
	 * the socket is not read until they are out (back-pressure). */
	int		 wfd;		/* 1 or 2; -1: nothing to write */
	struct iovec	 wiov[OUT_IOV_MAX];
	int		 wcnt;
	int		 wfirst;	/* first iovec not wholly written */
	struct frame	 next;		/* the frame after them, if any */
	bool		 have_next;
	struct sink	 sinks[3];	/* by fd: [1] stdout, [2] stderr */

	json_t		*exec;		/* borrowed; NULL once framed */
	bool		 may_retry;
	struct frame_out out;
	enum out_kind	 out_kind;
	bool		 peer_gone;	/* sending failed: stop sending */

	bool		 started;	/* the command runs: stdin may flow */
	enum stdin_state in_state;
	bool		 in_nowait;	/* RWF_NOWAIT reads work on stdin */
	bool		 in_polled;	/* poll said stdin is readable */
	bool		 in_wait;	/* stdin looked empty: poll first */
	unsigned char	*inbuf;
	size_t		 inlen;

	bool		 signalled;	/* the user asked for something */
	int		 sigq[SIGQ_MAX];
	size_t		 nsig;
	int		 nsigint;
	long long	 sigint_ms[2];	/* the two latest SIGINTs */
};

static void	 pump(struct session *);
static bool	 may_proceed(const struct session *);
static void	 prepare_out(struct session *);
static void	 wait_events(struct session *, int timeout);
static void	 set_events(const struct session *, struct pollfd *);
static void	 on_signals(struct session *);
static void	 read_sock(struct session *);
static void	 drain_frames(struct session *);
static bool	 take_frame(struct session *, struct frame *);
static void	 on_frame(struct session *, struct frame *);
static void	 on_exit_frame(struct session *, struct frame *);
static void	 on_error_frame(struct session *, struct frame *);
static void	 write_output(struct session *);
static ssize_t	 sink_write(struct sink *, int fd, const struct iovec *,
		    int cnt);
static void	 written(struct session *, size_t);
static bool	 stdin_wanted(const struct session *);
static bool	 stdin_may_read(const struct session *);
static void	 grow_stdin_pipe(void);
static void	 read_stdin(struct session *);
static void	 send_out(struct session *);
static void	 finish(struct session *, int status);

int
session_run(int sock, int sigfd, json_t *exec, bool stdin_open,
    bool may_retry)
{
	struct session s = {
		.sock = sock, .sigfd = sigfd, .wfd = -1, .exec = exec,
		.may_retry = may_retry, .sock_wr = true, .in_nowait = true,
		.in_state = stdin_open ? STDIN_OPEN : STDIN_DONE,
		.sinks = { [1] = { .ready = true }, [2] = { .ready = true } },
	};

	decoder_init(&s.dec);
	if (stdin_open && (s.inbuf = malloc(FRAME_DATA_CHUNK)) == NULL)
		finish(&s, report("out of memory"));
	while (!s.finished) {
		pump(&s);
		if (s.finished)
			break;
		if (!may_proceed(&s))
			wait_events(&s, -1);
		else if (++s.busy_rounds >= BUSY_ROUNDS_MAX)
			wait_events(&s, 0);
	}
	if (s.have_next)
		frame_clear(&s.next);
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

/*
 * One try at every transfer that need not wait.  Each try either moves
 * bytes or clears the flag that allowed it, so the loop cannot spin; a
 * chunk read from stdin is sent in the same round.
 */
static void
pump(struct session *s)
{
	if (s->wfd != -1 && s->sinks[s->wfd].ready)
		write_output(s);
	if (!s->finished && s->wfd == -1 && !s->sock_eof && s->sock_rd)
		read_sock(s);
	if (!s->finished && stdin_wanted(s) && stdin_may_read(s))
		read_stdin(s);
	if (!s->finished)
		prepare_out(s);
	if (!s->finished && s->out_kind != OUT_NONE && s->sock_wr)
		send_out(s);
	if (!s->finished)
		prepare_out(s);
}

/* Whether pump would try something; when not, only a poll can help. */
static bool
may_proceed(const struct session *s)
{
	if (s->wfd != -1 && s->sinks[s->wfd].ready)
		return true;
	if (s->wfd == -1 && !s->sock_eof && s->sock_rd)
		return true;
	if (stdin_wanted(s) && stdin_may_read(s))
		return true;
	return s->out_kind != OUT_NONE && s->sock_wr;
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
			finish(s, report("cannot encode the request: %s",
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
	} else if (s->started && (hdr = term_winsize_frame()) != NULL) {
		if (frame_out_json(&s->out, hdr, NULL, 0) == 0)
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

/* Waits (timeout -1) or only looks (0); readiness sets the flags. */
static void
wait_events(struct session *s, int timeout)
{
	struct pollfd pfd[PFD_COUNT];

	s->busy_rounds = 0;
	set_events(s, pfd);
	if (poll(pfd, PFD_COUNT, timeout) == -1) {
		if (errno != EINTR)
			finish(s, report("poll: %s", strerror(errno)));
		return;
	}
	if (pfd[PFD_SIG].revents != 0)
		on_signals(s);
	if (pfd[PFD_SOCK].revents & (POLLIN | POLLHUP | POLLERR))
		s->sock_rd = true;
	if (pfd[PFD_SOCK].revents & (POLLOUT | POLLHUP | POLLERR))
		s->sock_wr = true;
	if (pfd[PFD_STDIN].revents != 0) {
		s->in_polled = true;
		s->in_wait = false;
	}
	if (pfd[PFD_WRITE].revents != 0)
		s->sinks[s->wfd].ready = true;
}

/*
 * Only what pump cannot try now.  The socket is read only once the
 * output taken from it is written; stdin only once its last chunk is
 * sent, and only once the command started, so a refused request consumes
 * none of it.
 */
static void
set_events(const struct session *s, struct pollfd *pfd)
{
	for (int i = 0; i < PFD_COUNT; i++)
		pfd[i] = (struct pollfd){ .fd = -1 };
	pfd[PFD_SIG] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	if (s->wfd == -1 && !s->sock_eof && !s->sock_rd)
		pfd[PFD_SOCK].events |= POLLIN;
	if (s->out_kind != OUT_NONE && !s->sock_wr)
		pfd[PFD_SOCK].events |= POLLOUT;
	if (pfd[PFD_SOCK].events != 0)
		pfd[PFD_SOCK].fd = s->sock;
	if (stdin_wanted(s) && !stdin_may_read(s))
		pfd[PFD_STDIN] = (struct pollfd){ .fd = 0, .events = POLLIN };
	if (s->wfd != -1 && !s->sinks[s->wfd].ready)
		pfd[PFD_WRITE] = (struct pollfd){ .fd = s->wfd,
		    .events = POLLOUT };
}

/*
 * Giving up: the connection is reset, not closed.  When the command does
 * not read its stdin, our unsent stdin fills the server's window and a
 * FIN would wait behind it; a reset reaches the server at once, and it
 * ends the command.
 */
static void
reset_connection(int sock)
{
	struct linger now = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(sock, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
}

static void
on_signals(struct session *s)
{
	int signo;

	while ((signo = signals_next(s->sigfd)) > 0) {
		if (signo == SIGWINCH) {
			term_on_winch();
			continue;
		}
		s->signalled = true;
		if (signo == SIGINT) {
			long long now = now_ms();
			if (s->nsigint >= 2 &&
			    now - s->sigint_ms[0] <= INTERRUPT_WINDOW_MS) {
				reset_connection(s->sock);
				finish(s, report("interrupted"));
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

/* A read shorter than the room emptied the socket: the next one would
 * most likely fail with EAGAIN, so poll instead of trying it. */
static void
read_sock(struct session *s)
{
	size_t room;
	void *p = decoder_space(&s->dec, &room);
	ssize_t n;

	if (p == NULL) {
		finish(s, report("out of memory"));
		return;
	}
	if ((n = read(s->sock, p, room)) > 0) {
		decoder_commit(&s->dec, (size_t)n);
		s->sock_rd = (size_t)n == room;
		drain_frames(s);
	} else if (n == 0) {
		s->sock_eof = true;
		finish(s, report("connection lost before the command's exit "
		    "status"));
	} else if (errno == EAGAIN) {
		s->sock_rd = false;
	} else if (errno != EINTR) {
		finish(s, report("connection lost: %s", strerror(errno)));
	}
}

/* Handles every complete frame, stopping at one that must wait for the
 * output gathered before it. */
static void
drain_frames(struct session *s)
{
	struct frame f;
	int r;

	while (!s->finished) {
		if (s->have_next) {
			f = s->next;
			s->have_next = false;
		} else if ((r = decoder_next(&s->dec, &f)) == 0) {
			return;
		} else if (r == -1 && s->wfd != -1) {
			return;		/* sticky: reported once the output is out */
		} else if (r == -1) {
			struct proto_error e;
			decoder_describe_error(&s->dec, &e);
			finish(s, report("protocol error: %s", e.message));
			return;
		}
		if (!take_frame(s, &f)) {
			s->next = f;
			s->have_next = true;
			return;
		}
	}
}

/*
 * Adds an output payload to the writev, or handles any other frame once
 * the output before it is written.  False: f must wait.
 */
static bool
take_frame(struct session *s, struct frame *f)
{
	int fd = f->type == FRAME_STDOUT ? 1 : 2;

	if (f->type == FRAME_STDOUT || f->type == FRAME_STDERR) {
		if (f->len == 0) {
			frame_clear(f);
			return true;
		}
		if (s->wfd != -1 && (s->wfd != fd || s->wcnt == OUT_IOV_MAX))
			return false;
		if (s->wfd == -1) {
			s->wfd = fd;
			s->wcnt = s->wfirst = 0;
		}
		/* The payload is written from the decoder's buffer, in place. */
		s->wiov[s->wcnt++] = (struct iovec){
			.iov_base = (void *)(uintptr_t)f->payload,
			.iov_len = f->len };
		frame_clear(f);
		return true;
	}
	if (s->wfd != -1)
		return false;
	on_frame(s, f);
	return true;
}

static void
on_frame(struct session *s, struct frame *f)
{
	struct proto_error e;
	pid_t pid;

	switch (f->type) {
	case FRAME_STARTED:
		if (msg_parse_started(f, &pid, &e) == -1)
			finish(s, report("protocol error: %s", e.message));
		else if (term_started(msg_started_pty(f)) == -1)
			finish(s, EXIT_REXEC_FAILED);
		s->started = true;
		if (s->in_state == STDIN_OPEN)
			grow_stdin_pipe();
		break;
	case FRAME_EXIT:
		on_exit_frame(s, f);
		break;
	case FRAME_ERROR:
		on_error_frame(s, f);
		break;
	default:
		finish(s, report("protocol error: unexpected %s frame",
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
		finish(s, report("protocol error: %s", e.message));
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
		finish(s, report("protocol error: %s", e.message));
	else if (err.code == ERR_BUSY && !s->started && s->may_retry &&
	    !s->signalled)
		finish(s, SESSION_BUSY);
	else if (err.code == ERR_AUTH)
		finish(s, report("authentication refused: %s", err.message));
	else
		finish(s, report("%s: %s", err_code_name(err.code),
		    err.message));
}

/*
 * A closed local stdout (rexec host yes | head -1) ends rexec quietly with
 * 128+SIGPIPE, as the same command run locally would end; closing the
 * connection makes the server end the remote command at once.
 */
static void
write_output(struct session *s)
{
	struct sink *k = &s->sinks[s->wfd];
	ssize_t n;

	n = sink_write(k, s->wfd, s->wiov + s->wfirst, s->wcnt - s->wfirst);
	if (n > 0) {
		written(s, (size_t)n);
	} else if (n == -1 && errno == EPIPE) {
		finish(s, 128 + SIGPIPE);
	} else if (n == -1 && errno == EAGAIN) {
		k->ready = false;
	} else if (n == -1 && errno != EINTR) {
		finish(s, report("write to %s: %s",
		    s->wfd == 1 ? "stdout" : "stderr", strerror(errno)));
	}
}

/* The kernel or the file type has no RWF_NOWAIT: a tty, a regular file
 * on most file systems, kernels before 4.14. */
static bool
nowait_unsupported(int err)
{
	return err == EOPNOTSUPP || err == EINVAL || err == ENOSYS;
}

static enum sink_mode
sink_fallback(int fd)
{
	struct stat st;

	/* A file never waits for a reader: no poll needed, no cap. */
	if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode)))
		return SINK_DIRECT;
	return SINK_POLL;
}

/* writev(2) as the sink's mode allows; -1 with EAGAIN: poll first. */
static ssize_t
sink_write(struct sink *k, int fd, const struct iovec *iov, int cnt)
{
	struct iovec capped[OUT_IOV_MAX];
	size_t total = 0;
	ssize_t n;
	int i;

	if (k->mode == SINK_NOWAIT) {
		n = pwritev2(fd, iov, cnt, -1, RWF_NOWAIT);
		if (n != -1 || !nowait_unsupported(errno))
			return n;
		k->mode = sink_fallback(fd);
		k->ready = k->mode == SINK_DIRECT;
		if (!k->ready) {
			errno = EAGAIN;
			return -1;
		}
	}
	if (k->mode == SINK_DIRECT)
		return writev(fd, iov, cnt);
	/* Polled: one capped blocking write per POLLOUT. */
	k->ready = false;
	for (i = 0; i < cnt && total < WRITE_CHUNK; i++) {
		capped[i] = iov[i];
		if (capped[i].iov_len > WRITE_CHUNK - total)
			capped[i].iov_len = WRITE_CHUNK - total;
		total += capped[i].iov_len;
	}
	return writev(fd, capped, i);
}

/* Advances past n written bytes; once all are out, the frames behind
 * them are handled and the socket may be read again. */
static void
written(struct session *s, size_t n)
{
	while (s->wfirst < s->wcnt && n >= s->wiov[s->wfirst].iov_len)
		n -= s->wiov[s->wfirst++].iov_len;
	if (s->wfirst < s->wcnt) {
		s->wiov[s->wfirst].iov_base =
		    (char *)s->wiov[s->wfirst].iov_base + n;
		s->wiov[s->wfirst].iov_len -= n;
		return;
	}
	s->wfd = -1;
	drain_frames(s);
}

static bool
stdin_wanted(const struct session *s)
{
	return s->in_state == STDIN_OPEN && s->started && s->inlen == 0 &&
	    !s->peer_gone;
}

static bool
stdin_may_read(const struct session *s)
{
	return s->in_polled || (s->in_nowait && !s->in_wait);
}

/*
 * Enlarging a pipe rexec shares with its writer only lets the writer run
 * further ahead; a pipe already larger is left as it is, and a refusal
 * (over the user's pipe quota) changes nothing.
 */
static void
grow_stdin_pipe(void)
{
	int size = fcntl(0, F_GETPIPE_SZ);

	if (size != -1 && size < STDIN_PIPE_SIZE)
		(void)fcntl(0, F_SETPIPE_SZ, STDIN_PIPE_SIZE);
}

/*
 * Without RWF_NOWAIT (a tty) stdin is read only when poll says so: its
 * O_NONBLOCK flag is shared with other processes and stays as it is.
 * After a poll a plain read is right: a file that RWF_NOWAIT finds
 * uncached is then read from disk.  A short read emptied the pipe.
 */
static void
read_stdin(struct session *s)
{
	struct iovec iov = { .iov_base = s->inbuf,
	    .iov_len = FRAME_DATA_CHUNK - term_read_reserve() };
	ssize_t n;

	if (s->in_polled) {
		s->in_polled = false;
		n = read(0, s->inbuf, iov.iov_len);
	} else if ((n = preadv2(0, &iov, 1, -1, RWF_NOWAIT)) == -1 &&
	    nowait_unsupported(errno)) {
		s->in_nowait = false;
		return;
	}
	if (n > 0) {
		s->in_wait = (size_t)n < iov.iov_len;
		s->inlen = (size_t)n;
		if (term_filter(s->inbuf, &s->inlen, FRAME_DATA_CHUNK) ==
		    TERM_DISCONNECT) {
			reset_connection(s->sock);
			finish(s, report("disconnected (~.)"));
		}
	} else if (n == -1 && errno == EAGAIN) {
		s->in_wait = true;
	} else if (n == 0 || errno != EINTR) {
		s->in_state = STDIN_EOF_PENDING;
	}
}

static void
send_out(struct session *s)
{
	int r = frame_out_send(&s->out, s->sock);

	if (r == 0) {
		s->sock_wr = false;
		return;
	}
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
