/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdio.h"
#include "log.h"
#include "spawnreq.h"

static char	*request_text(const struct exec_req *, const char *conn);
static int	 set_conn_env(json_t *hdr, const char *conn, bool shell);
static int	 ask(int link, enum spawn_msg_type, char *text,
		    struct spawn_in *, struct proto_error *);
static int	 wait_answer(int link, struct spawn_in *in);
static int	 take_started(struct spawn_in *in, struct child *ch);
static void	 send_simple(int link, enum spawn_msg_type, pid_t pid);

/* One buffer per worker: a message's text may be 68 KiB. */
static struct spawn_in	in_buf;

int
spawnreq_start(int link, const struct exec_req *req, const char *conn,
    struct child *ch, struct proto_error *e)
{
	struct spawn_in *in = &in_buf;

	if (ask(link, SM_START, request_text(req, conn), in, e) == -1)
		return -1;
	if (in->m.type != SM_STARTED || take_started(in, ch) == -1) {
		spawnmsg_close_fds(in);
		proto_error_set(e, ERR_INTERNAL, "a bad answer from the "
		    "spawner");
		return -1;
	}
	return 0;
}

int
spawnreq_connect(int link, const struct connect_req *req, int *fd,
    struct proto_error *e)
{
	struct connect_req r = *req;
	struct spawn_in *in = &in_buf;
	json_t *hdr;
	char *text = NULL;

	/* The spawner has no use for the token. */
	r.token = NULL;
	if ((hdr = msg_connect(&r)) != NULL)
		text = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	if (ask(link, SM_CONNECT, text, in, e) == -1)
		return -1;
	if (in->m.type != SM_CONNECTING || in->nfd != 1 ||
	    set_nonblock(in->fd[0], 1) == -1) {
		spawnmsg_close_fds(in);
		proto_error_set(e, ERR_INTERNAL, "a bad answer from the "
		    "spawner");
		return -1;
	}
	*fd = in->fd[0];
	in->nfd = 0;
	return 0;
}

/* Sends a request (text freed here) and takes the answer: 0, or -1 with
 * e set (SM_FAILED's error, or the spawner gone). */
static int
ask(int link, enum spawn_msg_type type, char *text, struct spawn_in *in,
    struct proto_error *e)
{
	struct spawn_msg m = { .type = type };
	int r;

	if (text == NULL) {
		proto_error_set(e, ERR_INTERNAL, "out of memory");
		return -1;
	}
	r = spawnmsg_send(link, &m, text, NULL, 0);
	free(text);
	if (r == -1 || wait_answer(link, in) == -1) {
		proto_error_set(e, ERR_INTERNAL, "the spawner is gone");
		return -1;
	}
	if (in->m.type == SM_FAILED) {
		spawnmsg_close_fds(in);
		proto_error_set(e, in->m.arg > ERR_NONE &&
		    in->m.arg < ERR_CODE_COUNT ? (enum err_code)in->m.arg :
		    ERR_INTERNAL, "%s", in->text);
		return -1;
	}
	return 0;
}

/* The request as the spawner reads it: the exec header, less the token
 * and the credential (the spawner has no use for them; "user" is the
 * credential's account by now), plus the connection's variables. */
static char *
request_text(const struct exec_req *req, const char *conn)
{
	struct exec_req r = *req;
	json_t *hdr;
	char *text;

	r.token = NULL;
	r.token_len = 0;
	r.munge = NULL;
	if ((hdr = msg_exec(&r)) == NULL)
		return NULL;
	if (conn != NULL && set_conn_env(hdr, conn, req->shell) == -1) {
		json_decref(hdr);
		return NULL;
	}
	text = json_dumps(hdr, JSON_COMPACT);
	json_decref(hdr);
	return text;
}

/*
 * REXEC_CONNECTION always, SSH_CONNECTION and SSH_CLIENT ("client_ip
 * client_port server_port") for a shell as sshd sets them; they replace
 * the client's own.  Informational: the spawner trusts them no further
 * than any other variable a worker could pass.
 */
static int
set_conn_env(json_t *hdr, const char *conn, bool shell)
{
	json_t *env = json_object_get(hdr, "env");
	const char *sip = strchr(conn, ' '), *sport;
	char client[128];

	if (env == NULL && (json_object_set_new(hdr, "env",
	    env = json_object()) == -1 || env == NULL))
		return -1;
	if (json_object_set_new(env, "REXEC_CONNECTION",
	    json_string(conn)) == -1)
		return -1;
	if (!shell)
		return 0;
	if (sip == NULL || (sip = strchr(sip + 1, ' ')) == NULL ||
	    (sport = strchr(sip + 1, ' ')) == NULL)
		return 0;
	snprintf(client, sizeof(client), "%.*s%s", (int)(sip - conn), conn,
	    sport);
	if (json_object_set_new(env, "SSH_CONNECTION", json_string(conn)) == -1 ||
	    json_object_set_new(env, "SSH_CLIENT", json_string(client)) == -1)
		return -1;
	return 0;
}

/* The answer to a start; the socket is non-blocking, the spawner quick. */
static int
wait_answer(int link, struct spawn_in *in)
{
	int r;

	for (;;) {
		r = spawnmsg_recv(link, in);
		if (r == 1 && (in->m.type == SM_STARTED ||
		    in->m.type == SM_FAILED || in->m.type == SM_CONNECTING))
			return 0;
		if (r == 1) {
			/* News of an earlier command, released already. */
			spawnmsg_close_fds(in);
			continue;
		}
		if (r == 0 || errno != EAGAIN)
			return -1;
		if (wait_fd(link, POLLIN) == -1)
			return -1;
	}
}

static int
take_started(struct spawn_in *in, struct child *ch)
{
	bool pty = in->m.scope & STARTED_PTY;
	bool has_in = !pty && (in->m.scope & STARTED_STDIN);
	int want = pty ? 1 : has_in ? 3 : 2, k = 0;

	if (in->m.pid <= 0 || in->nfd != want) {
		spawnmsg_close_fds(in);
		return -1;
	}
	memset(ch, 0, sizeof(*ch));
	ch->pid = in->m.pid;
	ch->pty = pty;
	ch->in_fd = has_in ? in->fd[k++] : -1;
	ch->out_fd = in->fd[k++];
	ch->err_fd = pty ? -1 : in->fd[k++];
	in->nfd = 0;
	/* The stream closes stdin apart from the output: on a pty both are
	 * the master, the one description shared by two descriptors. */
	if (pty && (ch->in_fd = fcntl(ch->out_fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		close(ch->out_fd);
		return -1;
	}
	return 0;
}

void
spawnreq_signal(int link, pid_t pid, int sig, unsigned scope, pid_t pgrp)
{
	struct spawn_msg m = { .type = SM_SIGNAL, .pid = pid, .arg = sig,
	    .scope = scope, .pgrp = pgrp };

	if (spawnmsg_send(link, &m, NULL, NULL, 0) == -1)
		log_warn("signal to the spawner");
}

void
spawnreq_watch(int link, pid_t pid)
{
	send_simple(link, SM_WATCH, pid);
}

void
spawnreq_release(int link, pid_t pid)
{
	send_simple(link, SM_RELEASE, pid);
}

void
spawnreq_grow(int link)
{
	send_simple(link, SM_GROW, 0);
}

static void
send_simple(int link, enum spawn_msg_type type, pid_t pid)
{
	struct spawn_msg m = { .type = type, .pid = pid };

	if (spawnmsg_send(link, &m, NULL, NULL, 0) == -1 && errno != EAGAIN)
		log_warn("message to the spawner");
}

int
spawnreq_news(int link, pid_t pid, int *status)
{
	struct spawn_in *in = &in_buf;
	int r;

	for (;;) {
		r = spawnmsg_recv(link, in);
		if (r == 0 || (r == -1 && errno != EAGAIN))
			return SPAWN_NEWS_LOST;
		if (r == -1)
			return SPAWN_NEWS_NONE;
		spawnmsg_close_fds(in);
		if (in->m.pid != pid)
			continue;
		if (in->m.type == SM_EXITED) {
			*status = in->m.arg;
			return SPAWN_NEWS_EXITED;
		}
		if (in->m.type == SM_GONE)
			return SPAWN_NEWS_GONE;
	}
}
