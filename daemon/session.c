#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <bsd/stdlib.h>
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
#include "frameio.h"
#include "log.h"
#include "message.h"
#include "session.h"
#include "signames.h"
#include "spawn.h"
#include "stream.h"

#define COMMAND_SHORT	60
/* How long a closing connection is drained for the client to see our
 * last frame: closing with unread input would send it a reset instead. */
#define LINGER_MS	2000
#define STARTUP_SLOW_MS	1000
#define STARTUP_CHECK_MS	250

struct session {
	struct worker		*w;
	int			 sock;
	char			 peer[SLOT_PEER_MAX];
	char			 command[COMMAND_SHORT + 4];
	char			 account[USER_MAX];
	struct decoder		 dec;
	struct exec_req		 req;
	bool			 have_req;
	bool			 silent;	/* sent nothing for a while */
};

static int	check_account(struct session *);

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

/* The command for logs and the process title: short, printable. */
static void
describe_command(struct session *s)
{
	char *d = s->command;
	const char *end = s->command + COMMAND_SHORT;
	bool whole = true;

	if (s->req.cmd != NULL)
		whole = append(&d, end, s->req.cmd);
	for (size_t i = 0; s->req.cmd == NULL && i < s->req.argc && whole;
	    i++)
		whole = (i == 0 || append(&d, end, " ")) &&
		    append(&d, end, s->req.argv[i]);
	strlcpy(d, whole ? "" : "...", 4);
}

static void
fail(struct session *s, enum err_code code, const char *msg)
{
	log_info("%s: %s error: %s", s->peer, err_code_name(code), msg);
	(void)msg_send_error(s->sock, code, "%s", msg);
}

/* Like fail, for refusals an attacker can repeat at will: rate-limited. */
static void
refuse(struct session *s, enum err_code code, const char *msg)
{
	authlog_refused(s->peer, msg);
	(void)msg_send_error(s->sock, code, "%s", msg);
}

/* Connections that have not sent their request for this long count. */
static size_t
slow_startups(const struct worker *w)
{
	long long now = now_ms();
	size_t n = 0, nslots = scoreboard_slots(w->sb);

	for (size_t i = 0; i < nslots; i++) {
		const struct slot *s = &w->sb->slot[i];
		if (s != w->slot && slot_state(s) == SLOT_READING &&
		    now - s->accepted_ms >= STARTUP_SLOW_MS)
			n++;
	}
	return n;
}

/*
 * sshd's max_startups: refuse at random as connections that are slow to
 * send their request pile up.  A burst of quick clients is not counted.
 */
static bool
too_many_startups(const struct worker *w)
{
	const struct config *cf = w->cf;
	size_t n = slow_startups(w);
	unsigned p;

	if (n < (size_t)cf->startups_begin)
		return false;
	if (n >= (size_t)cf->startups_full)
		return true;
	p = (unsigned)cf->startups_rate + (unsigned)((100 -
	    cf->startups_rate) * (n - (size_t)cf->startups_begin) /
	    (size_t)(cf->startups_full - cf->startups_begin));
	return arc4random_uniform(100) < p;
}

/* Connections wait in a listening socket's backlog. */
static bool
connections_waiting(const struct worker *w)
{
	struct pollfd p[LISTEN_FDS_MAX];

	for (size_t i = 0; i < w->l->n; i++)
		p[i] = (struct pollfd){ .fd = w->l->fd[i], .events = POLLIN };
	return poll(p, (nfds_t)w->l->n, 0) > 0;
}

/*
 * A slow request is dropped when it holds a worker others are waiting
 * for: every worker taken, the pool at its maximum, and a connection in
 * the backlog.  Otherwise silent connections, up to max_workers of them,
 * would starve real clients until request_timeout.
 */
static bool
starving_others(const struct session *s, long long accepted_ms)
{
	const struct worker *w = s->w;
	const struct scoreboard *sb = w->sb;

	if (now_ms() - accepted_ms < STARTUP_SLOW_MS)
		return false;
	if (scoreboard_count(sb, SLOT_IDLE, 0, 1) > 0 ||
	    scoreboard_count(sb, SLOT_STARTING, 0, 1) > 0)
		return false;
	if (scoreboard_count(sb, SLOT_READING, 0, 1) +
	    scoreboard_count(sb, SLOT_BUSY, 0, 1) <
	    (size_t)w->cf->max_workers)
		return false;
	return connections_waiting(w);
}

/* Waits for the exec frame; 0 with f filled, or -1 (answered already). */
static int
read_request(struct session *s, struct frame *f)
{
	long long accepted = now_ms();
	long long deadline = accepted +
	    (long long)s->w->cf->request_timeout * 1000;
	struct proto_error e;
	struct pollfd p = { .fd = s->sock, .events = POLLIN };
	ssize_t n;
	int r;

	for (;;) {
		if ((r = decoder_next(&s->dec, f)) == 1)
			return 0;
		if (r == -1) {
			decoder_describe_error(&s->dec, &e);
			fail(s, e.code, e.message);
			return -1;
		}
		long long left = deadline - now_ms();
		if (left <= 0) {
			fail(s, ERR_TIMEOUT, "no exec frame within "
			    "request_timeout");
			s->silent = true;
			return -1;
		}
		if (starving_others(s, accepted)) {
			refuse(s, ERR_BUSY, "no exec frame within 1 s while "
			    "other clients wait for a worker");
			s->silent = true;
			return -1;
		}
		r = poll(&p, 1, left < STARTUP_CHECK_MS ? (int)left :
		    STARTUP_CHECK_MS);
		if (r == -1 && errno != EINTR)
			fatal("poll");
		if (r <= 0)
			continue;
		if ((n = decoder_read(&s->dec, s->sock)) == 0 ||
		    (n == -1 && errno != EAGAIN)) {
			log_debug("%s: closed before exec", s->peer);
			return -1;
		}
	}
}

static int
check_request(struct session *s)
{
	struct proto_error e;
	struct frame f;
	int r;

	if (read_request(s, &f) == -1)
		return -1;
	if (f.type != FRAME_EXEC) {
		proto_error_set(&e, ERR_BAD_REQUEST, "the first frame must be "
		    "exec, not %s", frame_type_name(f.type));
		frame_clear(&f);
		fail(s, e.code, e.message);
		return -1;
	}
	r = msg_parse_exec(&f, &s->req, &e);
	frame_clear(&f);
	if (r == -1) {
		fail(s, e.code, e.message);
		return -1;
	}
	s->have_req = true;
	if (!auth_token_ok(s->w->cf, s->req.token, s->req.token_len)) {
		refuse(s, ERR_AUTH, s->req.token == NULL ?
		    "a token is required" : "wrong token");
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
	char name[USER_MAX + 4], *d = name, reason[USER_MAX + 128];
	bool whole;

	if ((a = account_get(s->w->cf, s->req.user, &why)) != NULL) {
		strlcpy(s->account, a->name, sizeof(s->account));
		return 0;
	}
	if (s->req.user == NULL) {
		fail(s, ERR_INTERNAL, why);
		return -1;
	}
	/* The name is the client's: printable only, as the command. */
	whole = append(&d, name + USER_MAX, s->req.user);
	strlcpy(d, whole ? "" : "...", 4);
	snprintf(reason, sizeof(reason), "account '%s' refused: %s", name,
	    why);
	authlog_refused(s->peer, reason);
	(void)msg_send_error(s->sock, ERR_AUTH, ACCOUNT_REFUSED);
	return -1;
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

static void
run(struct session *s)
{
	struct stream_result res;
	struct proto_error e;
	struct child ch;

	describe_command(s);
	strlcpy(s->w->slot->command, s->command, SLOT_COMMAND_MAX);
	setproctitle("worker %s '%s'", s->peer, s->command);
	if (spawn_command(s->w->cf, &s->req, &ch, &e) == -1) {
		fail(s, e.code, e.message);
		return;
	}
	s->w->slot->cmd_pgid = ch.pid;
	slot_set_state(s->w->slot, SLOT_BUSY);
	log_debug("%s %s '%s': started pid %d", s->peer, s->account,
	    s->command, ch.pid);
	if (msg_send(s->sock, msg_started(ch.pid)) == -1) {
		/* Still run the loop: it ends the group and reaps. */
		log_debug("%s: cannot send started", s->peer);
	}
	stream_run(s->w, s->sock, &s->dec, &ch, &s->req, &res);
	s->w->slot->cmd_pgid = 0;
	log_result(s, &res);
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

void
session_serve(struct worker *w, int sock,
    const struct sockaddr_storage *peer)
{
	struct session s = { .w = w, .sock = sock };

	format_peer(peer, s.peer, sizeof(s.peer));
	strlcpy(w->slot->peer, s.peer, SLOT_PEER_MAX);
	w->slot->command[0] = '\0';
	w->slot->accepted_ms = now_ms();
	slot_set_state(w->slot, SLOT_READING);
	worker_taken(w);
	decoder_init(&s.dec);
	if (too_many_startups(w))
		refuse(&s, ERR_BUSY, "too many unauthenticated connections");
	else if (!auth_addr_allowed(w->cf, (const struct sockaddr *)peer))
		refuse(&s, ERR_AUTH, "address not allowed");
	else if (check_request(&s) == 0)
		run(&s);
	if (s.have_req)
		exec_req_free(&s.req);
	decoder_free(&s.dec);
	/* A client silent for so long has nothing in flight to drain. */
	if (s.silent)
		close(sock);
	else
		linger_close(sock);
}
