/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "encode.h"
#include "fdio.h"
#include "frameio.h"
#include "inqueue.h"
#include "keepalive.h"
#include "log.h"
#include "outq.h"
#include "relay.h"
#include "spawnmsg.h"

/* The connector has connect_timeout, and its alarm one second more:
 * beyond that it is not waited for. */
#define CONNECTOR_SLACK_MS	3000
/* How long a client that broke the protocol is waited for to take its
 * error frame. */
#define ERROR_SEND_MS	10000

enum { R_SOCK, R_TARGET, R_SIG, R_COUNT };

struct relay {
	const struct stream_ctx	*c;
	struct stream_result	*res;
	int			 target;	/* -1 once closed */
	long long		 t_start;
	long long		 abandon_at;	/* its error frame, or never */
	struct outq		 tx;		/* the one frame being sent */
	bool			 last_queued;	/* exit or error: the end */
	bool			 aborted;	/* nothing more is sent */
	bool			 target_eof;
	bool			 client_eof;	/* "eof": shut the target's side */
	bool			 wr_shut;
	struct inqueue		 in;		/* stdin for the target */
};

static int	take_answer(int cfd, int *target, struct proto_error *);
static void	loop(struct relay *);
static bool	finished(struct relay *);
static void	check_timers(struct relay *, long long now);
static void	set_pollfds(const struct relay *, struct pollfd *);
static long long next_deadline(const struct relay *);
static void	handle_socket(struct relay *, short revents);
static void	process_frames(struct relay *);
static void	on_stdin(void *, struct frame *);
static void	on_frame(void *, struct frame *);
static void	on_bad_frame(void *, const struct proto_error *);
static void	on_eof(struct relay *);
static int	flush_stdin(void *);
static void	drop_stdin(struct relay *);
static void	shut_target(struct relay *);
static void	read_target(struct relay *);
static void	target_failed(struct relay *, int err);
static void	queue_last(struct relay *, json_t *hdr);
static void	queue_frame(struct relay *, json_t *hdr);
static void	send_pending(struct relay *);
static void	protocol_error(struct relay *, const struct proto_error *);
static void	abort_relay(struct relay *, const char *why);
static void	close_target(struct relay *);

static const struct inq_ops stdin_ops = {
	.flush = flush_stdin,
	.on_stdin = on_stdin,
	.on_frame = on_frame,
	.on_error = on_bad_frame,
};

int
relay_wait(const struct stream_ctx *c, int cfd, int connect_timeout,
    int *target, struct proto_error *e)
{
	long long deadline = now_ms() + connect_timeout * 1000LL +
	    CONNECTOR_SLACK_MS;
	/* Only the client's going away: its early stdin stays in the
	 * kernel until there is somewhere to put it. */
	struct pollfd p[3] = {
		{ .fd = cfd, .events = POLLIN },
		{ .fd = c->sock, .events = POLLRDHUP },
		{ .fd = c->sig->fd, .events = POLLIN },
	};
	int r = -1;

	e->code = ERR_NONE;
	while (now_ms() < deadline) {
		if (poll(p, 3, deadline_timeout(deadline, now_ms())) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[2].revents && (wsignal_read(c->sig) & WSIG_KILL_NOW))
			break;
		if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR))
			break;
		if (p[0].revents) {
			r = take_answer(cfd, target, e);
			break;
		}
	}
	if (r == -1 && e->code == ERR_NONE && now_ms() >= deadline)
		proto_error_set(e, ERR_CONNECT, "no answer within "
		    "connect_timeout");
	close(cfd);
	return r;
}

/* The connector's one message; its silent end is its alarm's. */
static int
take_answer(int cfd, int *target, struct proto_error *e)
{
	struct spawn_in in;
	int r = spawnmsg_recv(cfd, &in);

	if (r == -1 && errno == EAGAIN)
		return proto_error_set(e, ERR_INTERNAL, "no answer from the "
		    "connector"), -1;
	if (r == 0 || r == -1) {
		proto_error_set(e, ERR_CONNECT, "timed out (connect_timeout)");
		return -1;
	}
	if (in.m.type == SM_STARTED && in.nfd == 1) {
		*target = in.fd[0];
		return set_nonblock(*target, 1);
	}
	spawnmsg_close_fds(&in);
	if (in.m.type == SM_FAILED)
		proto_error_set(e, in.m.arg > ERR_NONE && in.m.arg <
		    ERR_CODE_COUNT ? (enum err_code)in.m.arg : ERR_INTERNAL,
		    "%s", in.text);
	else
		proto_error_set(e, ERR_INTERNAL, "a bad answer from the "
		    "connector");
	return -1;
}

void
relay_run(const struct stream_ctx *c, int target, struct stream_result *res)
{
	struct relay r = { .c = c, .res = res, .target = target,
	    .t_start = now_ms() };

	memset(res, 0, sizeof(*res));
	inq_init(&r.in, &stdin_ops, &r, &r.aborted);
	queue_frame(&r, msg_started(0, false));
	process_frames(&r);	/* frames that came along with connect */
	loop(&r);
	outq_release(&r.tx);
	inq_clear_deferred(&r.in);
	close_target(&r);
	res->st.duration_ms = now_ms() - r.t_start;
}

static void
loop(struct relay *r)
{
	struct pollfd p[R_COUNT];

	for (;;) {
		check_timers(r, now_ms());
		if (finished(r))
			return;
		set_pollfds(r, p);
		if (poll(p, R_COUNT, deadline_timeout(next_deadline(r),
		    now_ms())) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (p[R_SIG].revents &&
		    (wsignal_read(r->c->sig) & WSIG_KILL_NOW))
			abort_relay(r, "the daemon is stopping");
		if (p[R_SOCK].revents)
			handle_socket(r, p[R_SOCK].revents);
		if (p[R_TARGET].revents & POLLOUT && r->in.pending &&
		    flush_stdin(r) == 0)
			process_frames(r);
		if (p[R_TARGET].revents & ~POLLOUT && !r->tx.pending &&
		    !r->aborted && !r->last_queued)
			read_target(r);
	}
}

/* The far side closed and all it sent is out: exit 0, as the last. */
static bool
finished(struct relay *r)
{
	if (!r->aborted && !r->last_queued && r->target_eof &&
	    !r->tx.pending) {
		struct exit_status st = { .exited = true,
		    .duration_ms = now_ms() - r->t_start };

		r->res->st = st;
		queue_last(r, msg_exit(&st));
	}
	return !r->tx.pending && (r->aborted || r->last_queued);
}

static void
check_timers(struct relay *r, long long now)
{
	if (!r->tx.pending)
		return;
	if (r->abandon_at > 0 && now >= r->abandon_at) {
		r->res->unread = true;
		outq_release(&r->tx);
	} else if (r->tx.stall_at > 0 && now >= r->tx.stall_at) {
		r->res->unread = true;
		abort_relay(r, "client not reading (stall_timeout)");
	} else if (r->tx.vanish_at > 0 && now >= r->tx.vanish_at) {
		if (keepalive_peer_gone(r->c->sock))
			abort_relay(r, "client vanished (keepalive)");
		else
			r->tx.vanish_at = now + r->c->keepalive * 1000LL;
	}
}

static void
set_pollfds(const struct relay *r, struct pollfd *p)
{
	for (int i = 0; i < R_COUNT; i++)
		p[i] = (struct pollfd){ .fd = -1 };
	p[R_SOCK].fd = r->c->sock;
	if (!r->aborted)
		p[R_SOCK].events = POLLRDHUP | (r->in.pending ? 0 : POLLIN) |
		    (r->tx.pending ? POLLOUT : 0);
	else
		p[R_SOCK].events = POLLOUT;
	/* Left out when it waits for nothing: its HUP would spin. */
	if (r->target != -1 && !r->aborted) {
		p[R_TARGET].events = (r->in.pending ? POLLOUT : 0) |
		    (r->tx.pending || r->target_eof || r->last_queued ? 0 :
		    POLLIN);
		p[R_TARGET].fd = p[R_TARGET].events != 0 ? r->target : -1;
	}
	p[R_SIG] = (struct pollfd){ .fd = r->c->sig->fd, .events = POLLIN };
}

static long long
next_deadline(const struct relay *r)
{
	long long t = 0;

	if (r->tx.pending) {
		deadline_merge(&t, r->tx.stall_at);
		deadline_merge(&t, r->tx.vanish_at);
		deadline_merge(&t, r->abandon_at);
	}
	return t;
}

static void
handle_socket(struct relay *r, short rev)
{
	ssize_t n;

	if (rev & (POLLERR | POLLNVAL)) {
		abort_relay(r, "connection error");
		return;
	}
	if ((rev & POLLOUT) && r->tx.pending)
		send_pending(r);
	if (r->aborted)
		return;
	/* The decoder holds the pending stdin payload: do not read. */
	if (r->in.pending) {
		if (rev & (POLLHUP | POLLRDHUP))
			abort_relay(r, "client disconnected");
		return;
	}
	if (!(rev & (POLLIN | POLLHUP | POLLRDHUP)))
		return;
	n = decoder_read(r->c->dec, r->c->sock);
	if (n == 0)
		abort_relay(r, "client disconnected");
	else if (n == -1 && errno != EAGAIN)
		abort_relay(r, "connection error");
	else
		process_frames(r);
}

static void
process_frames(struct relay *r)
{
	inq_process(&r->in, r->c->dec);
}

static void
on_stdin(void *arg, struct frame *f)
{
	struct relay *r = arg;

	r->res->bytes_in += f->len;
	if (r->target != -1 && !r->client_eof && f->len > 0)
		inq_push(&r->in, f->payload, f->len);
	frame_clear(f);
}

/* A signal ends the connection as it would end a command. */
static void
on_frame(void *arg, struct frame *f)
{
	struct relay *r = arg;
	struct exit_status st = { 0 };
	struct proto_error e;

	if (f->type == FRAME_EOF)
		on_eof(r);
	else if (f->type == FRAME_SIGNAL && !r->last_queued) {
		if (msg_parse_signal(f, &st.signal, &e) == -1)
			protocol_error(r, &e);
		else {
			close_target(r);
			st.duration_ms = now_ms() - r->t_start;
			r->res->st = st;
			queue_last(r, msg_exit(&st));
		}
	} else if (f->type != FRAME_SIGNAL) {
		proto_error_set(&e, ERR_BAD_REQUEST, "unexpected %s frame "
		    "on a connection", frame_type_name(f->type));
		protocol_error(r, &e);
	}
	frame_clear(f);
}

static void
on_bad_frame(void *arg, const struct proto_error *e)
{
	protocol_error(arg, e);
}

static void
on_eof(struct relay *r)
{
	r->client_eof = true;
	if (r->in.count == 0)
		shut_target(r);
}

/* 0 when done or broken, 1 when blocked.  Broken: the far side takes
 * no more; what it sent is still read, and its reset, if any, said then. */
static int
flush_stdin(void *arg)
{
	struct relay *r = arg;
	int k = inq_write(&r->in, r->target);

	if (k == -1)
		drop_stdin(r);
	else if (k == 0 && r->client_eof)
		shut_target(r);
	return k == 1;
}

static void
drop_stdin(struct relay *r)
{
	inq_drop(&r->in);
	r->client_eof = true;
}

/* The client's end of input is the target's. */
static void
shut_target(struct relay *r)
{
	if (r->wr_shut || r->target == -1)
		return;
	r->wr_shut = true;
	if (shutdown(r->target, SHUT_WR) == -1 && errno != ENOTCONN)
		log_warn("shutdown of a forwarded connection");
}

static void
read_target(struct relay *r)
{
	ssize_t n;

	do {
		n = read(r->target, r->c->buf, FRAME_DATA_CHUNK);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n == -1) {
		target_failed(r, errno);
		return;
	}
	if (n == 0) {
		r->target_eof = true;
		drop_stdin(r);
		return;
	}
	r->res->bytes_out += (size_t)n;
	outq_data(&r->tx, FRAME_STDOUT, r->c->buf, (size_t)n);
	send_pending(r);
}

/* A reset by the far side: the client hears why, as a connect error. */
static void
target_failed(struct relay *r, int err)
{
	char msg[PROTO_ERRMSG_MAX];

	close_target(r);
	drop_stdin(r);
	snprintf(msg, sizeof(msg), "the target ended the connection: %s",
	    strerror(err));
	r->res->why = err == ECONNRESET ? "reset by the target" :
	    "target connection error";
	queue_last(r, msg_error(ERR_CONNECT, msg));
}

static void
queue_last(struct relay *r, json_t *hdr)
{
	r->last_queued = true;
	queue_frame(r, hdr);
}

static void
queue_frame(struct relay *r, json_t *hdr)
{
	if (outq_json(&r->tx, hdr) == -1) {
		log_warn("cannot encode a frame");
		abort_relay(r, "out of memory");
		return;
	}
	send_pending(r);
}

static void
send_pending(struct relay *r)
{
	int k = outq_send(&r->tx, r->c);

	if (k == 0)
		return;
	if (k == -1) {
		abort_relay(r, "connection error");
		return;
	}
	if (r->last_queued && !r->aborted && r->res->why == NULL)
		r->res->sent_exit = true;
}

static void
protocol_error(struct relay *r, const struct proto_error *e)
{
	/* Inside a data frame's payload an error frame would be garbage. */
	bool mid_frame = r->tx.pending && r->tx.frame.sent > 0;

	abort_relay(r, "protocol error");
	if (mid_frame)
		return;
	r->abandon_at = now_ms() + ERROR_SEND_MS;
	queue_frame(r, msg_error(e->code, e->message));
}

/* The client is gone or broke the protocol: the target is closed. */
static void
abort_relay(struct relay *r, const char *why)
{
	outq_release(&r->tx);
	if (r->aborted)
		return;
	r->aborted = true;
	if (r->res->why == NULL)
		r->res->why = why;
	drop_stdin(r);
	inq_clear_deferred(&r->in);
	close_target(r);
}

static void
close_target(struct relay *r)
{
	if (r->target != -1) {
		close(r->target);
		r->target = -1;
	}
}
