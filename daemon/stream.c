/* SPDX-License-Identifier: ISC */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "encode.h"
#include "frameio.h"
#include "inqueue.h"
#include "keepalive.h"
#include "log.h"
#include "outq.h"
#include "pty.h"
#include "signames.h"
#include "spawnreq.h"
#include "stream.h"

/* After SIGKILL, how long to wait for the group to vanish before giving up. */
#define KILL_WAIT_MS	5000
/* After a timeout, how long a client that does not read is waited for
 * beyond kill_grace before its output is dropped and the worker freed. */
#define UNREAD_AFTER_TIMEOUT_MS	10000
/*
 * Output coalescing.  A command writing fast (head, cat: 4-8 KiB per
 * write(2)) wakes the worker at every write, and each wake-up costs a
 * poll, a read and a send: small frames, and the CPU they burn is taken
 * from the command and the client on a busy machine.  After a read this
 * large, the pipes are left alone for HOLD_US, so the next read finds a
 * large chunk; smaller reads (interactive output) are sent at once, and
 * the pipe (1 MiB) absorbs the writes meanwhile.  Measured: output
 * throughput +10-30 %, the worker's CPU per byte -25-40 %.
 */
#define HOLD_MIN	(16 * 1024)
#define HOLD_US		200

enum { P_SOCK, P_OUT, P_ERR, P_IN, P_CHILD, P_SIG, P_COUNT };

struct stream {
	const struct stream_ctx	*c;
	struct child		*ch;
	struct stream_result	*res;
	long long		 t_start;
	long long		 deadline;	/* the command's timeout, 0 */
	long long		 kill_at;	/* SIGKILL the group then, 0 */
	long long		 give_up;	/* stop waiting for the group */
	long long		 abandon_at;	/* drop a client not reading */
	const char		*abandon_why;
	bool			 ending;	/* the group was told to end */
	bool			 aborted;	/* no exit frame will be sent */
	bool			 exited;
	bool			 group_gone;	/* ended, and no process left */
	bool			 watching;	/* the spawner tells when it is */
	int			 status;
	int			 turn;		/* fairness: stdout or stderr */
	long long		 hold_until;	/* µs: leave the pipes till then */
	long long		 now_us;	/* of this turn of the loop */
	/* The one frame being sent: data, or started, exit or error. */
	struct outq		 tx;
	bool			 exit_queued;	/* the last frame: exit */
	/* Stdin payloads for one writev: a socket read brings several. */
	struct inqueue		 in;
	bool			 stdin_closed;	/* "stdin": false, on a pty */
	unsigned char		 eof_char;	/* a pty's, written for eof */
};

static long long deadline_of(const struct stream_ctx *,
		    const struct exec_req *, long long start);
static void	 loop(struct stream *);
static void	 close_outputs(struct stream *);
/* Timers and the end. */
static void	 check_timers(struct stream *, long long now);
static void	 abandon_by(struct stream *, long long at, const char *why);
static bool	 finished(struct stream *, long long now);
static bool	 waiting_for_group(struct stream *, long long now);
static void	 give_up_group(struct stream *);
static bool	 outputs_done(const struct stream *);
static void	 queue_exit(struct stream *);
static void	 fill_status(struct stream *);
/* Waiting. */
static void	 set_pollfds(const struct stream *, struct pollfd *);
static struct timespec *wait_time(const struct stream *, struct timespec *);
static int	 poll_timeout(const struct stream *, long long now);
static bool	 holding(const struct stream *);
/* Events. */
static void	 handle_events(struct stream *, const struct pollfd *);
static void	 shutdown_now(struct stream *);
static void	 handle_socket(struct stream *, short revents);
static void	 read_socket(struct stream *);
static void	 process_frames(struct stream *);
static void	 on_stdin(void *, struct frame *);
static void	 on_frame(void *, struct frame *);
static void	 on_bad_frame(void *, const struct proto_error *);
static void	 on_signal(struct stream *, struct frame *);
static void	 on_eof(struct stream *);
static void	 on_winsize(struct stream *, struct frame *);
static void	 drain_pty(struct stream *);
static void	 hang_up(struct stream *);
static int	 flush_stdin(void *);
static void	 drop_stdin(struct stream *);
static int	 read_output(struct stream *, int which);
static void	 spawner_news(struct stream *);
/* Frames out. */
static void	 queue_frame(struct stream *, json_t *hdr);
static void	 send_pending(struct stream *);
/* Ending. */
static void	 protocol_error(struct stream *, const struct proto_error *);
static void	 abort_stream(struct stream *, const char *why);
static void	 end_group(struct stream *, int sig);
static void	 close_fd(int *);

static const struct inq_ops stdin_ops = {
	.flush = flush_stdin,
	.on_stdin = on_stdin,
	.on_frame = on_frame,
	.on_error = on_bad_frame,
};

void
stream_run(const struct stream_ctx *c, struct child *ch,
    const struct exec_req *req, struct stream_result *res)
{
	struct stream s = { .c = c, .ch = ch, .res = res,
	    .t_start = now_ms() };

	memset(res, 0, sizeof(*res));
	s.deadline = deadline_of(c, req, s.t_start);
	s.stdin_closed = !req->stdin_open;
	inq_init(&s.in, &stdin_ops, &s, &s.aborted);
	queue_frame(&s, msg_started(ch->pid, req->pty.on));
	process_frames(&s);	/* frames that came along with exec */
	loop(&s);
	if (!s.exit_queued)
		fill_status(&s);
	outq_release(&s.tx);
	inq_clear_deferred(&s.in);
	close_outputs(&s);
	spawnreq_release(c->link, ch->pid);
}

static long long
deadline_of(const struct stream_ctx *c, const struct exec_req *req,
    long long start)
{
	double t = req->timeout;

	if (c->max_timeout > 0 && (t <= 0 || t > c->max_timeout))
		t = c->max_timeout;
	return t > 0 ? start + (long long)(t * 1000) : 0;
}

static void
loop(struct stream *s)
{
	struct pollfd p[P_COUNT];
	struct timespec ts;
	long long now;

	for (;;) {
		now = now_ms();
		check_timers(s, now);
		if (finished(s, now))
			return;
		/* One instant for the hold: the pipes left out of the poll
		 * set must be the ones its timeout brings back. */
		s->now_us = now_us();
		set_pollfds(s, p);
		if (ppoll(p, P_COUNT, wait_time(s, &ts), NULL) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		handle_events(s, p);
	}
}

static void
close_outputs(struct stream *s)
{
	drop_stdin(s);
	close_fd(&s->ch->out_fd);
	close_fd(&s->ch->err_fd);
}

static void
check_timers(struct stream *s, long long now)
{
	if (s->deadline > 0 && now >= s->deadline) {
		s->deadline = 0;
		/* Once the exit frame is out of our hands, it stays true. */
		if (!s->exit_queued)
			s->res->st.timed_out = true;
		abandon_by(s, now + (long long)s->c->kill_grace * 1000 +
		    UNREAD_AFTER_TIMEOUT_MS, "client not reading after the "
		    "timeout");
		log_debug("command %d timed out", s->ch->pid);
		end_group(s, SIGTERM);
	}
	if (s->abandon_at > 0 && now >= s->abandon_at && s->tx.pending) {
		s->res->unread = true;
		abort_stream(s, s->abandon_why);
	}
	if (s->tx.stall_at > 0 && now >= s->tx.stall_at && s->tx.pending) {
		s->res->unread = true;
		abort_stream(s, "client not reading (stall_timeout)");
	}
	if (s->tx.vanish_at > 0 && now >= s->tx.vanish_at && s->tx.pending) {
		if (keepalive_peer_gone(s->c->sock))
			abort_stream(s, "client vanished (keepalive)");
		else {
			log_debug("client takes no output, but is there");
			s->tx.vanish_at = now + (long long)s->c->keepalive * 1000;
		}
	}
	if (s->kill_at > 0 && now >= s->kill_at)
		end_group(s, SIGKILL);
}

/* A client that takes nothing more by then is dropped. */
static void
abandon_by(struct stream *s, long long at, const char *why)
{
	if (s->abandon_at == 0 || at < s->abandon_at) {
		s->abandon_at = at;
		s->abandon_why = why;
	}
}

/* True when the loop is over: the last frame sent, or nothing to send. */
static bool
finished(struct stream *s, long long now)
{
	if (waiting_for_group(s, now))
		return false;
	if (s->ch->pty && !s->aborted)
		drain_pty(s);
	/* Output the client is slow to take is still waited for (until
	 * abandon_at after a timeout), however long the group is gone. */
	if (!s->aborted && !s->exit_queued && outputs_done(s))
		queue_exit(s);
	return !s->tx.pending && (s->aborted || s->exit_queued);
}

/* A group told to end is waited for, down to its last process. */
static bool
waiting_for_group(struct stream *s, long long now)
{
	bool waiting = !s->exited;

	if (!waiting && (s->aborted || s->ending) && !s->group_gone) {
		if (!s->watching)
			spawnreq_watch(s->c->link, s->ch->pid);
		s->watching = true;
		waiting = true;
	}
	if (!waiting)
		return false;
	if (s->give_up == 0 || now < s->give_up)
		return true;
	give_up_group(s);
	return false;
}

/* Unkillable (D state): report it killed and move on. */
static void
give_up_group(struct stream *s)
{
	log_warnx("process group %d survives SIGKILL", s->ch->pid);
	if (!s->exited)
		s->status = SIGKILL;
	s->exited = s->group_gone = true;
	/* Its pipes may never end, nor may a client that does not read. */
	close_outputs(s);
	if (s->tx.pending)
		abort_stream(s, "client not reading");
}

static bool
outputs_done(const struct stream *s)
{
	return s->ch->out_fd == -1 && s->ch->err_fd == -1 && !s->tx.pending;
}

/* The exit frame goes out like any other: the loop waits for it. */
static void
queue_exit(struct stream *s)
{
	if (s->ch->pty)
		hang_up(s);
	fill_status(s);
	s->exit_queued = true;
	queue_frame(s, msg_exit(&s->res->st));
}

static void
fill_status(struct stream *s)
{
	struct exit_status *st = &s->res->st;

	st->exited = WIFEXITED(s->status);
	st->code = st->exited ? WEXITSTATUS(s->status) : 0;
	st->signal = WIFSIGNALED(s->status) ? WTERMSIG(s->status) : 0;
	st->duration_ms = now_ms() - s->t_start;
}

static void
set_pollfds(const struct stream *s, struct pollfd *p)
{
	for (int i = 0; i < P_COUNT; i++)
		p[i] = (struct pollfd){ .fd = -1 };
	p[P_SOCK].fd = s->c->sock;
	/* While stdin is blocked, only watch for the peer going away. */
	if (!s->aborted)
		p[P_SOCK].events = POLLRDHUP | (s->in.pending ? 0 : POLLIN) |
		    (s->tx.pending ? POLLOUT : 0);
	else if (s->tx.pending)
		p[P_SOCK].events = POLLOUT;	/* the error frame */
	else
		p[P_SOCK].fd = -1;
	if (!s->tx.pending && !holding(s)) {
		p[P_OUT] = (struct pollfd){ .fd = s->ch->out_fd,
		    .events = POLLIN };
		p[P_ERR] = (struct pollfd){ .fd = s->ch->err_fd,
		    .events = POLLIN };
	}
	if (s->in.pending)
		p[P_IN] = (struct pollfd){ .fd = s->ch->in_fd,
		    .events = POLLOUT };
	p[P_CHILD] = (struct pollfd){ .fd = s->c->link, .events = POLLIN };
	p[P_SIG] = (struct pollfd){ .fd = s->c->sig->fd, .events = POLLIN };
}

/* poll_timeout, shortened to the end of a hold; NULL: no timeout. */
static struct timespec *
wait_time(const struct stream *s, struct timespec *ts)
{
	long long us = poll_timeout(s, now_ms());

	us = us >= 0 ? us * 1000 : -1;
	if (holding(s) && (us < 0 || s->hold_until - s->now_us < us))
		us = s->hold_until - s->now_us;
	if (us < 0)
		return NULL;
	ts->tv_sec = us / 1000000;
	ts->tv_nsec = us % 1000000 * 1000;
	return ts;
}

static int
poll_timeout(const struct stream *s, long long now)
{
	long long t = 0;

	deadline_merge(&t, s->deadline);
	deadline_merge(&t, s->kill_at);
	deadline_merge(&t, s->give_up);
	if (s->tx.pending) {
		deadline_merge(&t, s->abandon_at);
		deadline_merge(&t, s->tx.stall_at);
		deadline_merge(&t, s->tx.vanish_at);
	}
	return deadline_timeout(t, now);
}

/* Once the command is gone, its output is in the pipe already: the rest
 * is read at once (a command printing 20 KiB and exiting is not delayed). */
static bool
holding(const struct stream *s)
{
	return s->hold_until > s->now_us && !s->exited;
}

static void
handle_events(struct stream *s, const struct pollfd *p)
{
	int sig = p[P_SIG].revents ? wsignal_read(s->c->sig) : 0;

	if (sig & WSIG_KILL_NOW)
		shutdown_now(s);
	if (p[P_CHILD].revents)
		spawner_news(s);
	if (p[P_SOCK].revents)
		handle_socket(s, p[P_SOCK].revents);
	if (p[P_IN].revents && s->in.pending && flush_stdin(s) == 0)
		process_frames(s);
	/* Alternate so a chatty stream cannot starve the other one. */
	s->turn ^= 1;
	for (int k = 0; k < 2; k++) {
		int i = (k ^ s->turn) ? P_ERR : P_OUT;
		if (p[i].revents && !s->tx.pending && p[i].fd != -1 &&
		    !s->aborted)
			read_output(s, i);
	}
}

/* shutdown_timeout is over: end the command, and within kill_grace free
 * the worker of a client that does not read, before the master's SIGKILL. */
static void
shutdown_now(struct stream *s)
{
	if (!s->ending)
		end_group(s, SIGTERM);
	abandon_by(s, now_ms() + (long long)s->c->kill_grace * 1000,
	    "client not reading at shutdown");
}

static void
handle_socket(struct stream *s, short rev)
{
	if (rev & (POLLERR | POLLNVAL)) {
		abort_stream(s, "connection error");
		return;
	}
	if ((rev & POLLOUT) && s->tx.pending)
		send_pending(s);
	/* Aborted, only its error frame was waited for. */
	if (s->aborted) {
		if (rev & POLLHUP)
			abort_stream(s, "client disconnected");
		return;
	}
	/* The decoder holds the pending stdin payload: do not read. */
	if (s->in.pending) {
		if (rev & (POLLHUP | POLLRDHUP))
			abort_stream(s, "client disconnected");
		return;
	}
	if (rev & (POLLIN | POLLHUP | POLLRDHUP))
		read_socket(s);
}

static void
read_socket(struct stream *s)
{
	ssize_t n = decoder_read(s->c->dec, s->c->sock);

	if (n == 0)
		abort_stream(s, "client disconnected");
	else if (n == -1 && errno != EAGAIN)
		abort_stream(s, "connection error");
	else
		process_frames(s);
}

static void
process_frames(struct stream *s)
{
	inq_process(&s->in, s->c->dec);
}

/* Queues the payload: it stays in the decoder's buffer until written,
 * since the socket is not read meanwhile. */
static void
on_stdin(void *arg, struct frame *f)
{
	struct stream *s = arg;

	s->res->bytes_in += f->len;
	if (s->ch->in_fd != -1 && f->len > 0 && !s->stdin_closed)
		inq_push(&s->in, f->payload, f->len);
	frame_clear(f);
}

static void
on_frame(void *arg, struct frame *f)
{
	struct stream *s = arg;
	struct proto_error e;

	switch (f->type) {
	case FRAME_EOF:
		on_eof(s);
		break;
	case FRAME_SIGNAL:
		on_signal(s, f);
		break;
	case FRAME_WINSIZE:
		on_winsize(s, f);
		break;
	default:
		proto_error_set(&e, ERR_BAD_REQUEST, "unexpected %s frame "
		    "while the command runs", frame_type_name(f->type));
		protocol_error(s, &e);
		break;
	}
	frame_clear(f);
}

static void
on_bad_frame(void *arg, const struct proto_error *e)
{
	protocol_error(arg, e);
}

static void
on_signal(struct stream *s, struct frame *f)
{
	struct proto_error e;
	pid_t pgrp;
	int signo;

	if (msg_parse_signal(f, &signo, &e) == -1) {
		protocol_error(s, &e);
		return;
	}
	/* On a terminal, the job in the foreground is the one meant. */
	pgrp = s->ch->pty && s->ch->out_fd != -1 ?
	    pty_foreground(s->ch->out_fd, s->ch->pid) : s->ch->pid;
	log_debug("signal %s to group %d", signame_from_number(signo), pgrp);
	spawnreq_signal(s->c->link, s->ch->pid, signo, SIG_GROUP |
	    (pgrp != s->ch->pid ? SIG_FOREGROUND : 0), pgrp);
}

/* On a pty, stdin is never closed: the end-of-file character is typed,
 * once, after the bytes queued before it. */
static void
on_eof(struct stream *s)
{
	if (!s->ch->pty || s->ch->in_fd == -1) {
		drop_stdin(s);
		return;
	}
	if (s->stdin_closed)
		return;
	s->eof_char = pty_eof_char(s->ch->in_fd);
	inq_push(&s->in, &s->eof_char, 1);
	(void)flush_stdin(s);
}

static void
on_winsize(struct stream *s, struct frame *f)
{
	struct winsize_req w;
	struct proto_error e;
	int fd;

	if (!s->ch->pty) {
		proto_error_set(&e, ERR_BAD_REQUEST, "winsize without a pty");
		protocol_error(s, &e);
		return;
	}
	if (msg_parse_winsize(f, &w, &e) == -1) {
		protocol_error(s, &e);
		return;
	}
	/* Either descriptor is the master, whichever is still open. */
	fd = s->ch->in_fd != -1 ? s->ch->in_fd : s->ch->out_fd;
	if (fd != -1 && pty_resize(fd, &w) == -1)
		log_warn("TIOCSWINSZ");
}

/*
 * The command is gone, but the terminal may stay open (a background job
 * holds it): what is in it now is read until the master has nothing
 * more, then the session ends.  EIO (no slave left) ends it too.
 */
static void
drain_pty(struct stream *s)
{
	if (!s->exited || s->tx.pending || s->ch->out_fd == -1)
		return;
	while (!s->tx.pending && s->ch->out_fd != -1)
		if (read_output(s, P_OUT) == 1)
			close_fd(&s->ch->out_fd);
}

/* As a terminal closing: the master goes, and what is left in the
 * command's session gets SIGHUP (and SIGCONT, if it was stopped). */
static void
hang_up(struct stream *s)
{
	drop_stdin(s);
	close_fd(&s->ch->out_fd);
	spawnreq_signal(s->c->link, s->ch->pid, SIGHUP, SIG_SESSION |
	    SIG_CONT_AFTER, 0);
}

/* 0 when done or broken, 1 when blocked.  EPIPE: the command will not
 * read more; the rest is dropped. */
static int
flush_stdin(void *arg)
{
	struct stream *s = arg;
	int k = inq_write(&s->in, s->ch->in_fd);

	if (k == -1)
		drop_stdin(s);
	return k == 1;
}

static void
drop_stdin(struct stream *s)
{
	inq_drop(&s->in);
	close_fd(&s->ch->in_fd);
}

/* Reads one chunk of stdout or stderr and starts sending it; 1 when
 * there was nothing to read.  On a pty, EIO is the end of the terminal. */
static int
read_output(struct stream *s, int which)
{
	int *fd = which == P_OUT ? &s->ch->out_fd : &s->ch->err_fd;
	ssize_t n;

	do {
		n = read(*fd, s->c->buf, FRAME_DATA_CHUNK);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 1;
	if (n <= 0) {
		close_fd(fd);
		return 0;
	}
	s->res->bytes_out += (size_t)n;
	if (n >= HOLD_MIN && n < FRAME_DATA_CHUNK)
		s->hold_until = now_us() + HOLD_US;
	outq_data(&s->tx, which == P_OUT ? FRAME_STDOUT : FRAME_STDERR,
	    s->c->buf, (size_t)n);
	send_pending(s);
	return 0;
}

/* The leader's exit, or the end of a group being waited for. */
static void
spawner_news(struct stream *s)
{
	int r, status;

	while ((r = spawnreq_news(s->c->link, s->ch->pid, &status)) !=
	    SPAWN_NEWS_NONE) {
		if (r == SPAWN_NEWS_EXITED) {
			s->exited = true;
			s->status = status;
		} else if (r == SPAWN_NEWS_GONE)
			s->group_gone = true;
		else {
			/* The master is gone, and its commands with it. */
			log_warnx("the spawner is gone");
			s->exited = s->group_gone = true;
			s->status = SIGKILL;
			abort_stream(s, "the daemon is stopping");
			return;
		}
	}
}

/* A control frame (started, exit, error): nothing else is pending then. */
static void
queue_frame(struct stream *s, json_t *hdr)
{
	if (outq_json(&s->tx, hdr) == -1) {
		log_warn("cannot encode a frame");
		abort_stream(s, "out of memory");
		return;
	}
	send_pending(s);
}

static void
send_pending(struct stream *s)
{
	int r = outq_send(&s->tx, s->c);

	if (r == 0)
		return;
	if (r == -1) {
		abort_stream(s, "connection error");
		return;
	}
	if (s->exit_queued && !s->aborted)
		s->res->sent_exit = true;
}

static void
protocol_error(struct stream *s, const struct proto_error *e)
{
	/* Inside a data frame's payload an error frame would be garbage:
	 * then the client only sees the connection close. */
	bool mid_frame = s->tx.pending && s->tx.frame.sent > 0;

	abort_stream(s, "protocol error");
	if (mid_frame)
		return;
	abandon_by(s, now_ms() + (long long)s->c->kill_grace * 1000 +
	    UNREAD_AFTER_TIMEOUT_MS, "client not reading its error");
	queue_frame(s, msg_error(e->code, e->message));
}

/* The client is gone or broke the protocol: end the group, send no more
 * (but the error frame protocol_error queues after this). */
static void
abort_stream(struct stream *s, const char *why)
{
	outq_release(&s->tx);
	if (s->aborted)
		return;
	s->aborted = true;
	s->res->why = why;
	drop_stdin(s);
	inq_clear_deferred(&s->in);
	/* Closing our ends lets writers die of SIGPIPE as well. */
	close_fd(&s->ch->out_fd);
	close_fd(&s->ch->err_fd);
	end_group(s, SIGTERM);
}

static void
end_group(struct stream *s, int sig)
{
	/* Jobs of a shell on a pty have groups of their own. */
	spawnreq_signal(s->c->link, s->ch->pid, sig, SIG_GROUP |
	    (s->ch->pty ? SIG_SESSION : 0), 0);
	if (sig == SIGKILL) {
		s->kill_at = 0;
		s->give_up = now_ms() + KILL_WAIT_MS;
	} else if (!s->ending)
		s->kill_at = now_ms() + (long long)s->c->kill_grace * 1000;
	s->ending = true;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}
