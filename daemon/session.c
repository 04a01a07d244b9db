#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "auth.h"
#include "authlog.h"
#include "clock.h"
#include "decode.h"
#include "encode.h"
#include "frameio.h"
#include "keepalive.h"
#include "log.h"
#include "message.h"
#include "policy.h"
#include "session.h"
#include "signames.h"
#include "spawnreq.h"
#include "status.h"
#include "statusmsg.h"
#include "stream.h"
#include "textsafe.h"

#define COMMAND_SHORT	60
/* How long a closing connection is drained for the client to see our
 * last frame: closing with unread input would send it a reset instead. */
#define LINGER_MS	2000
#define STARTUP_CHECK_MS	250
/* An error frame before the stream goes into an empty socket buffer: a
 * client that does not take it even so is not waited for longer. */
#define ERROR_SEND_MS	5000

struct session {
	const struct session_ctx *c;
	int			 sock;
	const struct sockaddr	*peer_sa;
	char			 peer[SLOT_PEER_MAX];
	char			 command[COMMAND_SHORT + 4];
	char			 account[USER_MAX];
	struct decoder		 dec;
	struct exec_req		 req;
	bool			 have_req;
	bool			 silent;	/* sent nothing for a while */
};

static void	format_peer(const struct sockaddr_storage *, char *, size_t);
static bool	admitted(struct session *, const struct sockaddr *);
static int	check_request(struct session *);
static int	check_account(struct session *);
static void	serve_status(struct session *, const struct frame *);
static bool	status_allowed(struct session *, const struct status_req *);
static int	read_request(struct session *, struct frame *);
static bool	overdue(struct session *, long long accepted,
		    long long deadline);
static bool	starving_others(const struct session *, long long accepted);
static bool	connections_waiting(const struct listeners *);
static int	wait_socket(struct session *, short events,
		    long long deadline);
static void	run(struct session *);
static void	describe_command(struct session *);
static bool	append(char **, const char *, const char *);
static void	log_result(const struct session *,
		    const struct stream_result *);
static void	report_error(struct session *, enum err_code, const char *);
static void	refuse(struct session *, enum err_code, const char *);
static void	send_error(struct session *, enum err_code, const char *);
static void	send_frame(struct session *, json_t *hdr, const void *payload,
		    size_t len);
static void	linger_close(int);

void
session_serve(const struct session_ctx *c, int sock,
    const struct sockaddr_storage *peer)
{
	struct session s = { .c = c, .sock = sock,
	    .peer_sa = (const struct sockaddr *)peer };

	format_peer(peer, s.peer, sizeof(s.peer));
	keepalive_set(sock, c->cf->keepalive, s.peer);
	decoder_init(&s.dec);
	if (admitted(&s, (const struct sockaddr *)peer) &&
	    check_request(&s) == 0)
		run(&s);
	if (s.have_req)
		exec_req_free(&s.req);
	decoder_free(&s.dec);
	slot_done(c->slot);
	/* A client silent for so long has nothing in flight to drain. */
	if (s.silent)
		close(sock);
	else
		linger_close(sock);
}

static void
format_peer(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN], serv[8];

	if (getnameinfo((const struct sockaddr *)ss, sizeof(*ss), host,
	    sizeof(host), serv, sizeof(serv), NI_NUMERICHOST |
	    NI_NUMERICSERV) != 0)
		strlcpy(buf, "?", len);
	else if (ss->ss_family == AF_INET6)
		snprintf(buf, len, "[%s]:%s", host, serv);
	else
		snprintf(buf, len, "%s:%s", host, serv);
}

/*
 * Marks our slot READING, and with one look at the scoreboard: tells the
 * master when we took the last idle worker (it must grow before the next
 * connection waits for a fork), and applies max_startups.
 */
static bool
admitted(struct session *s, const struct sockaddr *peer)
{
	const struct session_ctx *c = s->c;
	struct tally t;

	slot_reading(c->slot, s->peer);
	scoreboard_tally(c->sb, c->slot->generation,
	    now_ms() - STARTUP_SLOW_MS, &t);
	/* Several may tell it at once: that is harmless. */
	if (policy_last_idle_taken(&t))
		spawnreq_grow(c->link);
	if (policy_too_many_startups(c->cf, &t)) {
		refuse(s, ERR_BUSY, "too many unauthenticated connections");
		return false;
	}
	if (!auth_addr_allowed(c->cf->allow, c->cf->nallow, peer)) {
		refuse(s, ERR_AUTH, "address not allowed");
		return false;
	}
	return true;
}

static int
check_request(struct session *s)
{
	struct proto_error e;
	struct frame f;
	int r;

	if (read_request(s, &f) == -1)
		return -1;
	if (f.type == FRAME_STATUS) {
		serve_status(s, &f);
		frame_clear(&f);
		return -1;
	}
	if (f.type != FRAME_EXEC) {
		proto_error_set(&e, ERR_BAD_REQUEST, "the first frame must be "
		    "exec, not %s", frame_type_name(f.type));
		frame_clear(&f);
		report_error(s, e.code, e.message);
		return -1;
	}
	r = msg_parse_exec(&f, &s->req, &e);
	frame_clear(&f);
	if (r == -1) {
		report_error(s, e.code, e.message);
		return -1;
	}
	s->have_req = true;
	if (!auth_token_ok(s->c->cf->token, s->c->cf->token_len,
	    s->req.token, s->req.token_len)) {
		refuse(s, ERR_AUTH, s->req.token == NULL ?
		    "a token is required" : "wrong token");
		return -1;
	}
	if ((s->req.pty.on || s->req.login) && !s->c->cf->allow_pty) {
		refuse(s, ERR_AUTH, "pty and login sessions are not allowed "
		    "(allow_pty = no)");
		return -1;
	}
	return check_account(s);
}

/* The client learns only that it may not; the log says why. */
static int
check_account(struct session *s)
{
	const struct account *a;
	const char *why;
	char name[TEXTSAFE_SIZE(USER_MAX)];
	char reason[sizeof(name) + 128];

	if ((a = account_get(s->c->cf, s->req.user, &why)) != NULL) {
		strlcpy(s->account, a->name, sizeof(s->account));
		return 0;
	}
	if (s->req.user == NULL) {
		report_error(s, ERR_INTERNAL, why);
		return -1;
	}
	/* The name is the client's. */
	text_safe_str(name, sizeof(name), s->req.user, 0);
	snprintf(reason, sizeof(reason), "account '%s' refused: %s", name,
	    why);
	authlog_refused(s->peer, reason);
	scoreboard_refused(s->c->sb);
	send_error(s, ERR_AUTH, ACCOUNT_REFUSED);
	return -1;
}

/* Answers a status request from the scoreboard alone. */
static void
serve_status(struct session *s, const struct frame *f)
{
	struct status_req r;
	struct proto_error e;
	json_t *hdr;
	char *doc;
	size_t len;

	if (msg_parse_status(f, &r, &e) == -1) {
		report_error(s, e.code, e.message);
		return;
	}
	if (status_allowed(s, &r)) {
		hdr = json_pack("{s:s}", "type", "status");
		if (hdr == NULL ||
		    (doc = status_dump(s->c->sb, getppid(), &len)) == NULL)
			report_error(s, ERR_INTERNAL, "out of memory");
		else {
			send_frame(s, hdr, doc, len);
			free(doc);
			log_debug("%s: status sent", s->peer);
		}
		json_decref(hdr);
	}
	status_req_free(&r);
}

/* status_allow (empty: nobody), then the token; refused otherwise. */
static bool
status_allowed(struct session *s, const struct status_req *r)
{
	const struct config *cf = s->c->cf;

	if (cf->nstatus_allow == 0 || !auth_addr_allowed(cf->status_allow,
	    cf->nstatus_allow, s->peer_sa)) {
		refuse(s, ERR_AUTH, "status not allowed from this address "
		    "(status_allow)");
		return false;
	}
	if (!auth_token_ok(cf->token, cf->token_len, r->token,
	    r->token_len)) {
		refuse(s, ERR_AUTH, r->token == NULL ?
		    "a token is required" : "wrong token");
		return false;
	}
	return true;
}

/* Waits for the exec frame; 0 with f filled, or -1 (answered already). */
static int
read_request(struct session *s, struct frame *f)
{
	long long accepted = now_ms();
	long long deadline = accepted +
	    (long long)s->c->cf->request_timeout * 1000;
	struct proto_error e;
	ssize_t n;
	int r;

	while ((r = decoder_next(&s->dec, f)) == 0) {
		if (overdue(s, accepted, deadline))
			return -1;
		r = wait_socket(s, POLLIN, now_ms() + STARTUP_CHECK_MS <
		    deadline ? now_ms() + STARTUP_CHECK_MS : deadline);
		if (r == -1) {
			/* Shutdown: no time to linger. */
			s->silent = true;
			return -1;
		}
		if (r == 1 && ((n = decoder_read(&s->dec, s->sock)) == 0 ||
		    (n == -1 && errno != EAGAIN))) {
			log_debug("%s: closed before exec", s->peer);
			return -1;
		}
	}
	if (r == 1)
		return 0;
	decoder_describe_error(&s->dec, &e);
	report_error(s, e.code, e.message);
	return -1;
}

/* Whether the request is given up (then answered): too late, or holding a
 * worker others wait for. */
static bool
overdue(struct session *s, long long accepted, long long deadline)
{
	if (now_ms() >= deadline)
		report_error(s, ERR_TIMEOUT, "no exec frame within "
		    "request_timeout");
	else if (starving_others(s, accepted))
		refuse(s, ERR_BUSY, "no exec frame within 1 s while other "
		    "clients wait for a worker");
	else
		return false;
	s->silent = true;
	return true;
}

/*
 * A slow request is dropped when it holds a worker others are waiting
 * for: every worker taken, the pool at its maximum, and a connection in
 * the backlog.
 */
static bool
starving_others(const struct session *s, long long accepted_ms)
{
	const struct session_ctx *c = s->c;
	struct tally t;

	if (now_ms() - accepted_ms < STARTUP_SLOW_MS)
		return false;
	scoreboard_tally(c->sb, c->slot->generation,
	    now_ms() - STARTUP_SLOW_MS, &t);
	return policy_may_starve(c->cf, &t) && connections_waiting(c->l);
}

/* Connections wait in a listening socket's backlog. */
static bool
connections_waiting(const struct listeners *l)
{
	struct pollfd p[LISTEN_FDS_MAX];

	for (size_t i = 0; i < l->n; i++)
		p[i] = (struct pollfd){ .fd = l->fd[i], .events = POLLIN };
	return poll(p, (nfds_t)l->n, 0) > 0;
}

/*
 * Waits until the socket is ready for events or the deadline, the
 * worker's signals polled meanwhile: 1 ready, 0 not yet, -1 when the
 * connection is to be given up (shutdown_timeout is over).
 */
static int
wait_socket(struct session *s, short events, long long deadline)
{
	struct pollfd p[2] = {
		{ .fd = s->sock, .events = events },
		{ .fd = s->c->sig->fd, .events = POLLIN },
	};
	int n = poll(p, 2, deadline_timeout(deadline, now_ms()));

	if (n == -1 && errno != EINTR)
		fatal("poll");
	if (n <= 0)
		return 0;
	if (p[1].revents && (wsignal_read(s->c->sig) & WSIG_KILL_NOW))
		return -1;
	return p[0].revents != 0;
}

static void
run(struct session *s)
{
	const struct session_ctx *c = s->c;
	struct stream_ctx sc = {
		.sock = s->sock, .link = c->link, .dec = &s->dec,
		.sig = c->sig, .buf = c->buf,
		.max_timeout = c->cf->max_timeout,
		.kill_grace = c->cf->kill_grace,
		.stall_timeout = c->cf->stall_timeout,
		.keepalive = c->cf->keepalive,
	};
	struct stream_result res;
	struct proto_error e;
	struct child ch;
	char cmdline[SLOT_COMMAND_MAX];

	describe_command(s);
	setproctitle("worker %s '%s'", s->peer, s->command);
	/* Keystrokes and their echoes are single bytes: no Nagle delay. */
	if (s->req.pty.on && setsockopt(s->sock, IPPROTO_TCP, TCP_NODELAY,
	    &(int){ 1 }, sizeof(int)) == -1)
		log_warn("%s: TCP_NODELAY", s->peer);
	if (spawnreq_start(c->link, &s->req, &ch, &e) == -1) {
		report_error(s, e.code, e.message);
		return;
	}
	status_cmdline(&s->req, cmdline, sizeof(cmdline));
	slot_busy(c->slot, s->account, cmdline, ch.pid);
	log_debug("%s %s '%s': started pid %d", s->peer, s->account,
	    s->command, ch.pid);
	stream_run(&sc, &ch, &s->req, &res);
	scoreboard_served(c->sb);
	/* Nothing to linger for: it would only delay the worker. */
	s->silent = res.unread;
	log_result(s, &res);
}

/* The command for logs and the process title: short, printable. */
static void
describe_command(struct session *s)
{
	char *d = s->command;
	const char *end = s->command + COMMAND_SHORT;
	bool whole = true;

	if (s->req.login)
		whole = append(&d, end, "(login shell)");
	if (s->req.cmd != NULL)
		whole = append(&d, end, s->req.cmd);
	for (size_t i = 0; s->req.argv != NULL && i < s->req.argc && whole;
	    i++)
		whole = (i == 0 || append(&d, end, " ")) &&
		    append(&d, end, s->req.argv[i]);
	strlcpy(d, whole ? "" : "...", 4);
}

/* Appends src to the short description, printable only; false when full. */
static bool
append(char **d, const char *end, const char *src)
{
	for (; *src != '\0'; src++) {
		if (*d == end)
			return false;
		*(*d)++ = isprint((unsigned char)*src) ? *src : '?';
	}
	return true;
}

static void
log_result(const struct session *s, const struct stream_result *r)
{
	char status[64];

	if (r->st.exited)
		snprintf(status, sizeof(status), "exit %d", r->st.code);
	else
		snprintf(status, sizeof(status), "signal %s",
		    signame_from_number(r->st.signal) != NULL ?
		    signame_from_number(r->st.signal) : "?");
	log_info("%s %s '%s': %s%s%s%s, %llu bytes out, %llu in, %lld ms",
	    s->peer, s->account, s->command, status,
	    r->st.timed_out ? " (timed out)" : "",
	    r->sent_exit ? "" : ", ", r->sent_exit ? "" : r->why,
	    r->bytes_out, r->bytes_in, r->st.duration_ms);
}

/* Logs the error and answers it: the connection ends then. */
static void
report_error(struct session *s, enum err_code code, const char *msg)
{
	log_info("%s: %s error: %s", s->peer, err_code_name(code), msg);
	send_error(s, code, msg);
}

/* Like report_error, for refusals an attacker can repeat at will:
 * rate-limited. */
static void
refuse(struct session *s, enum err_code code, const char *msg)
{
	authlog_refused(s->peer, msg);
	scoreboard_refused(s->c->sb);
	send_error(s, code, msg);
}

/* The first frame we send, so it fits the socket buffer: still, it is
 * sent under a deadline, with the signals polled. */
static void
send_error(struct session *s, enum err_code code, const char *msg)
{
	json_t *hdr = msg_error(code, msg);

	if (hdr != NULL)
		send_frame(s, hdr, NULL, 0);
	json_decref(hdr);
}

/* A last frame, sent under the same deadline (a status document may not
 * fit the socket buffer). */
static void
send_frame(struct session *s, json_t *hdr, const void *payload, size_t len)
{
	long long deadline = now_ms() + ERROR_SEND_MS;
	struct frame_out o;

	if (frame_out_json(&o, hdr, payload, len) == -1)
		return;
	while (frame_out_send(&o, s->sock) == 0 && now_ms() < deadline &&
	    wait_socket(s, POLLOUT, deadline) != -1)
		;
	frame_out_release(&o);
}

/* Apache's lingering close: FIN first, then wait for the client's. */
static void
linger_close(int sock)
{
	long long deadline = now_ms() + LINGER_MS;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (shutdown(sock, SHUT_WR) == 0) {
		while (now_ms() < deadline &&
		    poll(&p, 1, (int)(deadline - now_ms())) > 0) {
			n = read(sock, buf, sizeof(buf));
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR))
				break;
		}
	}
	close(sock);
}
