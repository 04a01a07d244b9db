/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "auth.h"
#include "authlog.h"
#include "clock.h"
#include "connectmsg.h"
#include "decode.h"
#include "encode.h"
#include "frameio.h"
#include "keepalive.h"
#include "log.h"
#include "message.h"
#include "mungeid.h"
#include "policy.h"
#include "relay.h"
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
/* A refused client's request is there at once or not at all: drained
 * while it keeps coming, a drip-feeding one does not hold us for long. */
#define REFUSED_QUIET_MS	50
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
	char			 munge_user[USER_MAX];	/* its credential's */
	struct srckey		 src;		/* its address, for limits */
	struct decoder		 dec;
	struct exec_req		 req;
	bool			 have_req;
	struct connect_req	 creq;		/* instead of req */
	bool			 have_creq;
	bool			 authed;	/* its errors are logged in full */
	bool			 silent;	/* sent nothing for a while */
	bool			 refused;	/* no lingering for it */
};

static void	format_peer(const struct sockaddr_storage *, char *, size_t);
static const char *connection(const struct session *, char *, size_t);
static bool	penalised(struct session *);
static void	penalise(struct session *, int seconds);
static bool	admitted(struct session *, const struct sockaddr *);
static int	check_request(struct session *);
static int	identify(struct session *, const char *token, size_t token_len,
		    const char *munge, const char **user);
static int	authenticate(struct session *, const char *token,
		    size_t token_len, const char *munge, const char **who);
static int	munge_account(struct session *, const char *cred,
		    const char **who);
static int	check_exec(struct session *, struct frame *);
static int	check_connect(struct session *, struct frame *);
static int	check_account(struct session *, const char *user);
static void	serve_status(struct session *, const struct frame *);
static bool	status_allowed(struct session *, const struct status_req *);
static int	read_request(struct session *, struct frame *);
static bool	overdue(struct session *, long long accepted,
		    long long deadline);
static bool	starving_others(const struct session *, long long accepted);
static size_t	connections_waiting(const struct listeners *);
static int	wait_socket(struct session *, short events,
		    long long deadline);
static void	run(struct session *);
static void	run_connect(struct session *);
static void	stream_ctx_of(struct session *, struct stream_ctx *);
static void	describe_command(struct session *);
static void	drop_now(struct session *);
static void	log_result(const struct session *, const char *what,
		    const struct stream_result *);
static void	report_error(struct session *, enum err_code, const char *);
static void	refuse(struct session *, enum err_code, const char *);
static void	refuse_logged(struct session *, const char *said,
		    const char *logged);
static void	send_error(struct session *, enum err_code, const char *);
static void	send_frame(struct session *, json_t *hdr, const void *payload,
		    size_t len);
static void	linger_close(int, int quiet_ms, struct wsignal *);

void
session_serve(const struct session_ctx *c, int sock,
    const struct sockaddr_storage *peer)
{
	struct session s = { .c = c, .sock = sock,
	    .peer_sa = (const struct sockaddr *)peer };

	format_peer(peer, s.peer, sizeof(s.peer));
	srckey_of((const struct sockaddr *)peer, &s.src);
	/* Not a request: it costs a lookup, a write and a close. */
	if (penalised(&s)) {
		drop_now(&s);
		return;
	}
	keepalive_set(sock, c->cf->keepalive, s.peer);
	decoder_init(&s.dec);
	if (admitted(&s, (const struct sockaddr *)peer) &&
	    check_request(&s) == 0) {
		if (s.have_creq)
			run_connect(&s);
		else
			run(&s);
	}
	if (s.have_req)
		exec_req_free(&s.req);
	if (s.have_creq)
		connect_req_free(&s.creq);
	decoder_free(&s.dec);
	slot_done(c->slot);
	/* A client silent for so long has nothing in flight to drain. */
	if (s.silent)
		close(sock);
	else
		linger_close(sock, s.refused ? REFUSED_QUIET_MS : 0, c->sig);
}

/* "client_ip client_port server_ip server_port", as sshd's
 * SSH_CONNECTION; NULL if an address is unknown. */
static const char *
connection(const struct session *s, char *buf, size_t len)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	char ch[INET6_ADDRSTRLEN], cs[8], lh[INET6_ADDRSTRLEN], ls[8];

	if (getsockname(s->sock, (struct sockaddr *)&local, &llen) == -1 ||
	    getnameinfo(s->peer_sa, sizeof(struct sockaddr_storage), ch,
	    sizeof(ch), cs, sizeof(cs), NI_NUMERICHOST | NI_NUMERICSERV) != 0 ||
	    getnameinfo((struct sockaddr *)&local, llen, lh, sizeof(lh), ls,
	    sizeof(ls), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return NULL;
	snprintf(buf, len, "%s %s %s %s", ch, cs, lh, ls);
	return buf;
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

/* An address that failed to authenticate or held connections silent
 * too often is answered at once, and only that (PerSourcePenalties). */
static bool
penalised(struct session *s)
{
	long long left = srctab_penalty(&s->c->sb->sources, &s->src,
	    now_ms());
	char msg[128];
	json_t *hdr;
	struct frame_out o;

	if (left == 0)
		return false;
	snprintf(msg, sizeof(msg), "address penalised for %lld s more "
	    "(failed authentication or silent connections)",
	    (left + 999) / 1000);
	authlog_refused(&s->c->sb->sources, &s->src, s->peer, msg);
	scoreboard_refused(s->c->sb);
	/* One try: the socket buffer is empty; no waiting for anyone. */
	if ((hdr = msg_error(ERR_AUTH, msg)) != NULL &&
	    frame_out_json(&o, hdr, NULL, 0) == 0) {
		(void)frame_out_send(&o, s->sock);
		frame_out_release(&o);
	}
	json_decref(hdr);
	return true;
}

/* Logged once, when the address becomes penalised. */
static void
penalise(struct session *s, int seconds)
{
	const struct config *cf = s->c->cf;
	long long left;

	left = srctab_penalise(&s->c->sb->sources, &s->src,
	    seconds * 1000LL, cf->penalty_min * 1000LL,
	    cf->penalty_max * 1000LL, now_ms());
	if (left > 0)
		log_warnx("%s: address penalised for %lld s", s->peer,
		    (left + 999) / 1000);
}

/*
 * Marks our slot READING, and with one look at the scoreboard: tells the
 * master when we took the last idle worker (it must grow before the next
 * connection waits for a fork), and applies the allow list, the limit
 * per address and max_startups.
 */
static bool
admitted(struct session *s, const struct sockaddr *peer)
{
	const struct session_ctx *c = s->c;
	struct tally t;
	size_t mine;

	slot_reading(c->slot, s->peer, &s->src);
	scoreboard_tally(c->sb, c->slot->generation,
	    now_ms() - STARTUP_SLOW_MS, &t);
	/* Several may tell it at once: that is harmless. */
	if (policy_last_idle_taken(&t))
		spawnreq_grow(c->link);
	if (!auth_addr_allowed(c->cf->allow, c->cf->nallow, peer)) {
		refuse(s, ERR_AUTH, "address not allowed");
		penalise(s, c->cf->penalty_authfail);
		return false;
	}
	/* Only those silent for a while: a burst of real clients from one
	 * host (a fleet controller, parallel) sends its requests at once. */
	if (policy_too_many_from(c->cf, scoreboard_reading_from(c->sb,
	    &s->src, now_ms() - STARTUP_SLOW_MS))) {
		refuse(s, ERR_BUSY, "too many unauthenticated connections "
		    "from this address (per_source_max_startups)");
		return false;
	}
	mine = scoreboard_reading_from(c->sb, &s->src, LLONG_MAX);
	if (policy_too_many_startups(c->cf, &t, mine > 0 ? mine - 1 : 0)) {
		refuse(s, ERR_BUSY, "too many unauthenticated connections");
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
	if (f.type == FRAME_CONNECT)
		r = check_connect(s, &f);
	else if (f.type == FRAME_EXEC)
		r = check_exec(s, &f);
	else {
		proto_error_set(&e, ERR_BAD_REQUEST, "the first frame must be "
		    "exec, not %s", frame_type_name(f.type));
		report_error(s, e.code, e.message);
		r = -1;
	}
	frame_clear(&f);
	return r;
}

static int
check_exec(struct session *s, struct frame *f)
{
	struct proto_error e;

	if (msg_parse_exec(f, &s->req, &e) == -1) {
		report_error(s, e.code, e.message);
		return -1;
	}
	s->have_req = true;
	if (identify(s, s->req.token, s->req.token_len, s->req.munge,
	    &s->req.user) == -1)
		return -1;
	if ((s->req.pty.on || s->req.login) && !s->c->cf->allow_pty) {
		refuse(s, ERR_AUTH, "pty and login sessions are not allowed "
		    "(allow_pty = no)");
		return -1;
	}
	return 0;
}

/* As exec, with allow_forward instead of allow_pty. */
static int
check_connect(struct session *s, struct frame *f)
{
	struct proto_error e;

	if (msg_parse_connect(f, &s->creq, &e) == -1) {
		report_error(s, e.code, e.message);
		return -1;
	}
	s->have_creq = true;
	if (identify(s, s->creq.token, s->creq.token_len, s->creq.munge,
	    &s->creq.user) == -1)
		return -1;
	if (!s->c->cf->allow_forward) {
		refuse(s, ERR_AUTH, "forwarding is not allowed "
		    "(allow_forward = no)");
		return -1;
	}
	return 0;
}

/*
 * Who asks and as whom, for any first frame that runs something (exec,
 * connect): the token or a MUNGE credential, then the account, *user
 * replaced by the credential's.  0, or -1 when answered.
 */
static int
identify(struct session *s, const char *token, size_t token_len,
    const char *munge, const char **user)
{
	const char *who;
	char reason[2 * USER_MAX + 64];

	if (authenticate(s, token, token_len, munge, &who) == -1)
		return -1;
	if (who != NULL && *user != NULL && strcmp(*user, who) != 0) {
		/* The name is the client's: cut here, escaped by authlog. */
		snprintf(reason, sizeof(reason), "munge: the credential of "
		    "'%s' asks for account '%.*s%s'", who, USER_MAX, *user,
		    strlen(*user) > USER_MAX ? "..." : "");
		/* As for an account that does not exist: nothing told. */
		refuse_logged(s, ACCOUNT_REFUSED, reason);
		return -1;
	}
	if (who != NULL)
		*user = who;
	return check_account(s, *user);
}

/*
 * The token's check, or with munge the credential's instead: 0 with
 * *who the credential's account (NULL: the token's client), or -1 when
 * refused (answered; the address penalised when the client was wrong).
 */
static int
authenticate(struct session *s, const char *token, size_t token_len,
    const char *munge, const char **who)
{
	const struct config *cf = s->c->cf;

	*who = NULL;
	if (munge != NULL) {
		if (!cf->munge) {
			refuse(s, ERR_AUTH, "munge: not enabled");
			return -1;
		}
		return munge_account(s, munge, who);
	}
	if (!auth_token_ok(cf->token, cf->token_len, token, token_len)) {
		refuse(s, ERR_AUTH, token == NULL ?
		    "a token is required" : "wrong token");
		penalise(s, cf->penalty_authfail);
		return -1;
	}
	s->authed = true;
	return 0;
}

/* munged's reason to the client; the log has its longer one, and
 * which side failed. */
static int
munge_account(struct session *s, const char *cred, const char **who)
{
	struct mungeid_error e;
	struct passwd *pw;
	char reason[2 * MUNGEID_REASON_MAX + 16];
	uid_t uid;

	if (mungeid_decode(s->c->cf->munge_socket, cred, &uid, &e) == -1) {
		snprintf(reason, sizeof(reason), "%s: %s", e.reason, e.detail);
		refuse_logged(s, e.reason, reason);
		s->refused = true;
		if (e.client)
			penalise(s, s->c->cf->penalty_authfail);
		return -1;
	}
	s->authed = true;
	if ((pw = getpwuid(uid)) == NULL ||
	    strlcpy(s->munge_user, pw->pw_name, sizeof(s->munge_user)) >=
	    sizeof(s->munge_user)) {
		snprintf(reason, sizeof(reason), "munge: uid %u: no account "
		    "of a usable name", (unsigned)uid);
		refuse_logged(s, ACCOUNT_REFUSED, reason);
		return -1;
	}
	*who = s->munge_user;
	return 0;
}

/* The client learns only that it may not; the log says why. */
static int
check_account(struct session *s, const char *user)
{
	const struct account *a;
	const char *why;
	char reason[USER_MAX + 128];

	if ((a = account_get(s->c->cf, user, &why)) != NULL) {
		strlcpy(s->account, a->name, sizeof(s->account));
		return 0;
	}
	if (user == NULL) {
		report_error(s, ERR_INTERNAL, why);
		return -1;
	}
	/* The name is the client's: cut here, escaped by authlog. */
	snprintf(reason, sizeof(reason), "account '%.*s%s' refused: %s",
	    USER_MAX, user, strlen(user) > USER_MAX ? "..." : "", why);
	refuse_logged(s, ACCOUNT_REFUSED, reason);
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

/* status_allow (empty: nobody), then the token or a credential whose
 * account may use this daemon; refused otherwise. */
static bool
status_allowed(struct session *s, const struct status_req *r)
{
	const struct config *cf = s->c->cf;
	const char *who;

	if (cf->nstatus_allow == 0 || !auth_addr_allowed(cf->status_allow,
	    cf->nstatus_allow, s->peer_sa)) {
		refuse(s, ERR_AUTH, "status not allowed from this address "
		    "(status_allow)");
		penalise(s, cf->penalty_authfail);
		return false;
	}
	if (authenticate(s, r->token, r->token_len, r->munge, &who) == -1)
		return false;
	return who == NULL || check_account(s, who) == 0;
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

/* Whether the request is given up (then answered, and its address
 * penalised): too late, or holding a worker others wait for. */
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
	penalise(s, s->c->cf->penalty_timeout);
	s->silent = true;
	return true;
}

/*
 * A slow request is dropped when it holds a worker others are waiting
 * for: every worker taken, the pool at its maximum, and connections in
 * the backlog, as many of the oldest as there are waiting.
 */
static bool
starving_others(const struct session *s, long long accepted_ms)
{
	const struct session_ctx *c = s->c;
	struct tally t;
	size_t waiting;

	if (now_ms() - accepted_ms < STARTUP_SLOW_MS)
		return false;
	scoreboard_tally(c->sb, c->slot->generation,
	    now_ms() - STARTUP_SLOW_MS, &t);
	if (!policy_may_starve(c->cf, &t) ||
	    (waiting = connections_waiting(c->l)) == 0)
		return false;
	return scoreboard_older_readers(c->sb, c->slot) < waiting;
}

/* Connections in the listening sockets' backlogs (at least 1 when
 * there are some but the kernel does not say how many). */
static size_t
connections_waiting(const struct listeners *l)
{
	struct pollfd p[LISTEN_FDS_MAX];
	struct tcp_info ti;
	socklen_t len;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		len = sizeof(ti);
		/* For a listening socket: the accept queue's length. */
		if (getsockopt(l->fd[i], IPPROTO_TCP, TCP_INFO, &ti,
		    &len) == 0 && ti.tcpi_state == TCP_LISTEN)
			n += ti.tcpi_unacked;
		p[i] = (struct pollfd){ .fd = l->fd[i], .events = POLLIN };
	}
	if (n == 0 && poll(p, (nfds_t)l->n, 0) > 0)
		n = 1;
	return n;
}

/*
 * Waits until the socket is ready for events or the deadline, the
 * worker's signals polled meanwhile: 1 ready, 0 not yet, -1 when the
 * connection is to be given up (shutdown_timeout is over).
 */
static int
wait_socket(struct session *s, short events, long long deadline)
{
	return wsignal_wait(s->c->sig, s->sock, events, deadline);
}

static void
stream_ctx_of(struct session *s, struct stream_ctx *sc)
{
	const struct session_ctx *c = s->c;

	*sc = (struct stream_ctx){
		.sock = s->sock, .link = c->link, .dec = &s->dec,
		.sig = c->sig, .buf = c->buf,
		.max_timeout = c->cf->max_timeout,
		.kill_grace = c->cf->kill_grace,
		.stall_timeout = c->cf->stall_timeout,
		.keepalive = c->cf->keepalive,
	};
}

static void
run(struct session *s)
{
	const struct session_ctx *c = s->c;
	struct stream_ctx sc;
	struct stream_result res;
	struct proto_error e;
	struct child ch;
	char cmdline[SLOT_COMMAND_MAX];
	char conn[2 * INET6_ADDRSTRLEN + 20];

	stream_ctx_of(s, &sc);
	describe_command(s);
	setproctitle("worker %s '%s'", s->peer, s->command);
	/* Keystrokes and their echoes are single bytes: no Nagle delay. */
	if (s->req.pty.on && setsockopt(s->sock, IPPROTO_TCP, TCP_NODELAY,
	    &(int){ 1 }, sizeof(int)) == -1)
		log_warn("%s: TCP_NODELAY", s->peer);
	if (spawnreq_start(c->link, &s->req, connection(s, conn,
	    sizeof(conn)), &ch, &e) == -1) {
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
	log_result(s, s->command, &res);
}

/* A connect request: the connector's answer, then the relay; logged as
 * a command is, with its target for the command. */
static void
run_connect(struct session *s)
{
	const struct session_ctx *c = s->c;
	struct stream_ctx sc;
	struct stream_result res;
	struct proto_error e;
	char raw[CONNECT_HOST_MAX + 32];
	char target[TEXTSAFE_SIZE(sizeof(raw))];
	int cfd, tfd;

	stream_ctx_of(s, &sc);
	snprintf(raw, sizeof(raw), "(connect %s:%u)", s->creq.host,
	    s->creq.port);
	text_safe(s->command, sizeof(s->command), raw, strlen(raw), 0);
	setproctitle("worker %s '%s'", s->peer, s->command);
	if (spawnreq_connect(c->link, &s->creq, &cfd, &e) == -1 ||
	    relay_wait(&sc, cfd, c->cf->connect_timeout, &tfd, &e) == -1) {
		if (e.code != ERR_NONE)
			report_error(s, e.code, e.message);
		else
			s->silent = true;
		return;
	}
	slot_busy(c->slot, s->account, s->command, 0);
	log_debug("%s %s '%s': connected", s->peer, s->account, s->command);
	/* Forwarded keystrokes (ssh through -W) are single bytes too. */
	if (setsockopt(s->sock, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
	    sizeof(int)) == -1)
		log_warn("%s: TCP_NODELAY", s->peer);
	relay_run(&sc, tfd, &res);
	scoreboard_served(c->sb);
	s->silent = res.unread;
	log_result(s, text_safe_str(target, sizeof(target), raw, 0), &res);
}

/*
 * The command for logs and the process title: short, escaped.  As much
 * of it as fills the description is taken: text_safe then cuts it, with
 * "...", if there was more.
 */
static void
describe_command(struct session *s)
{
	char raw[sizeof(s->command)];

	if (s->req.login)
		strlcpy(raw, "(login shell)", sizeof(raw));
	else if (s->req.subsystem != NULL)
		snprintf(raw, sizeof(raw), "(subsystem %s)", s->req.subsystem);
	else
		status_cmdline(&s->req, raw, sizeof(raw));
	text_safe(s->command, sizeof(s->command), raw, strlen(raw), 0);
}

static void
log_result(const struct session *s, const char *what,
    const struct stream_result *r)
{
	char status[64];

	if (r->st.exited)
		snprintf(status, sizeof(status), "exit %d", r->st.code);
	else
		snprintf(status, sizeof(status), "signal %s",
		    signame_from_number(r->st.signal) != NULL ?
		    signame_from_number(r->st.signal) : "?");
	log_info("%s %s '%s': %s%s%s%s, %llu bytes out, %llu in, %lld ms",
	    s->peer, s->account, what, status,
	    r->st.timed_out ? " (timed out)" : "",
	    r->sent_exit ? "" : ", ", r->sent_exit ? "" : r->why,
	    r->bytes_out, r->bytes_in, r->st.duration_ms);
}

/*
 * Logs the error and answers it: the connection ends then.  msg may
 * hold the client's text (a frame type, a cwd, argv[0]): escaped; and
 * before authentication, rate-limited per address as refusals are.
 */
static void
report_error(struct session *s, enum err_code code, const char *msg)
{
	char safe[TEXTSAFE_SIZE(PROTO_ERRMSG_MAX)];

	if (s->authed)
		log_info("%s: %s error: %s", s->peer, err_code_name(code),
		    text_safe_str(safe, sizeof(safe), msg, 0));
	else
		authlog_error(&s->c->sb->sources, &s->src, s->peer,
		    err_code_name(code), msg);
	send_error(s, code, msg);
}

/* Like report_error, for refusals an attacker can repeat at will:
 * rate-limited. */
static void
refuse(struct session *s, enum err_code code, const char *msg)
{
	authlog_refused(&s->c->sb->sources, &s->src, s->peer, msg);
	scoreboard_refused(s->c->sb);
	send_error(s, code, msg);
	s->refused = true;
}

/* An auth refusal whose log line says more than the client is told. */
static void
refuse_logged(struct session *s, const char *said, const char *logged)
{
	authlog_refused(&s->c->sb->sources, &s->src, s->peer, logged);
	scoreboard_refused(s->c->sb);
	send_error(s, ERR_AUTH, said);
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

/* Takes what the client sent already, so that the close is a FIN, not a
 * reset that could destroy our answer; waits for nothing. */
static void
drop_now(struct session *s)
{
	while (read(s->sock, s->c->buf, FRAME_DATA_CHUNK) == -1 &&
	    errno == EINTR)
		;
	close(s->sock);
}

/*
 * Apache's lingering close: FIN first, then wait for the client's.  With
 * quiet_ms, only while the client keeps sending: not at all when it has
 * sent nothing, no longer than quiet_ms between its bytes.
 */
static void
linger_close(int sock, int quiet_ms, struct wsignal *ws)
{
	long long now, until, deadline = now_ms() + LINGER_MS;
	int wait = quiet_ms > 0 ? 0 : LINGER_MS, r;
	char buf[4096];
	ssize_t n;

	if (shutdown(sock, SHUT_WR) == -1)
		deadline = 0;
	while ((now = now_ms()) < deadline) {
		until = now + wait < deadline ? now + wait : deadline;
		if ((r = wsignal_wait(ws, sock, POLLIN, until)) == -1) {
			log_debug("not lingering: the daemon is stopping");
			break;
		}
		if (r == 0 && now_ms() >= until)
			break;
		if (r == 0)
			continue;	/* a signal that ends nothing */
		wait = quiet_ms > 0 ? quiet_ms : LINGER_MS;
		n = read(sock, buf, sizeof(buf));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			break;
	}
	close(sock);
}
