/* SPDX-License-Identifier: ISC */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "clock.h"
#include "cmdgroup.h"
#include "connector.h"
#include "log.h"
#include "message.h"
#include "spawn.h"
#include "spawner.h"
#include "spawnmsg.h"
#include "textsafe.h"

#define LINKS_MAX	WORKERS_LIMIT
/* Commands of workers that died, still being ended, need room too. */
#define COMMANDS_MAX	(2 * WORKERS_LIMIT)
/* How often groups being waited for are looked at: at first, then
 * doubling while one lingers (a process that ignores SIGTERM lingers
 * kill_grace seconds). */
#define WATCH_FIRST_MS	20
#define WATCH_MAX_MS	500
/* Where pidfd_open fails (valgrind): how often a leader is looked at. */
#define NO_PIDFD_TICK_MS	50
/* Messages taken from one link per wake-up: a flood cannot starve
 * the others or the pool. */
#define LINK_BURST	16
#define EVENTS_MAX	64

#define TAG_LINK	1ULL
#define TAG_CMD		2ULL

struct link {
	int	fd;		/* -1: free */
	pid_t	worker;
	int	cmd;		/* its command, -1 */
};

struct command {
	bool	used;
	pid_t	pid;		/* the leader; its group and session */
	int	pidfd;		/* -1 once exited, or never had one */
	int	link;		/* -1 once the worker let go or died */
	bool	pty;
	bool	exited;
	bool	watched;	/* the worker waits for SM_GONE */
	int	status;
};

static struct spawner {
	const struct config	*cf;
	int			 epfd;
	struct link		 links[LINKS_MAX];
	struct command		 cmds[COMMANDS_MAX];
	long long		 poll_at;	/* leaders without a pidfd */
	long long		 watch_at;	/* groups waited for, 0: none */
	int			 watch_ms;
	bool			 subreaper;	/* orphans come to us */
	struct spawn_in		 in;
} sp;

static void	watch_fd(int fd, unsigned long long tag, int index);
static void	link_readable(int i);
static void	link_closed(int i);
static void	dispatch(int i, const struct spawn_in *);
static void	start(int i, const struct spawn_in *);
static int	load_request(const struct spawn_in *, enum frame_type,
		    struct frame *, struct proto_error *);
static int	parse_request(const struct spawn_in *, struct exec_req *,
		    struct proto_error *);
static int	admit(const struct exec_req *, struct proto_error *);
static const struct account *admit_account(const char *user,
		    struct proto_error *);
static void	connect_for(int i, const struct spawn_in *);
static int	start_connector(const struct spawn_in *, pid_t *, int *,
		    struct proto_error *);
static int	add_command(int link, const struct child *);
static int	new_command(int i, const struct child *);
static void	send_started(int i, const struct child *);
static void	fail(int i, const struct proto_error *);
static struct command *own_command(int i, pid_t pid);
static void	deliver(struct command *, const struct spawn_msg *);
static bool	signal_allowed(int sig);
static void	watch_start(struct command *);
static void	watch_all(void);
static bool	gone_if(struct command *, bool gone);
static bool	no_strays(void);
static int	pid_cmp(const void *, const void *);
static int	watched(struct cmd_live *, struct command **);
static void	release(struct command *);
static void	leader_check(struct command *);
static void	leader_exited(struct command *, int status);
static void	end_now(struct command *);
static void	forget(struct command *);
static void	tell(struct command *, enum spawn_msg_type, int arg);
static void	poll_leaders(void);

void
spawner_init(const struct config *cf)
{
	int on = 0;

	sp.cf = cf;
	/* Else orphans go to init, and our children say nothing. */
	sp.subreaper = prctl(PR_GET_CHILD_SUBREAPER, &on) == 0 && on != 0;
	if ((sp.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	for (int i = 0; i < LINKS_MAX; i++)
		sp.links[i] = (struct link){ .fd = -1, .cmd = -1 };
}

int
spawner_fd(void)
{
	return sp.epfd;
}

int
spawner_link_open(int *worker_end)
{
	int sv[2], i;

	for (i = 0; i < LINKS_MAX && sp.links[i].fd != -1; i++)
		;
	if (i == LINKS_MAX) {
		errno = EMFILE;
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0, sv) == -1)
		return -1;
	sp.links[i] = (struct link){ .fd = sv[0], .cmd = -1 };
	watch_fd(sv[0], TAG_LINK, i);
	*worker_end = sv[1];
	return i;
}

void
spawner_link_bind(int i, pid_t worker)
{
	sp.links[i].worker = worker;
}

void
spawner_link_drop(int i)
{
	link_closed(i);
}

void
spawner_close_inherited(void)
{
	close(sp.epfd);
	for (int i = 0; i < LINKS_MAX; i++)
		if (sp.links[i].fd != -1)
			close(sp.links[i].fd);
	for (int i = 0; i < COMMANDS_MAX; i++)
		if (sp.cmds[i].used && sp.cmds[i].pidfd != -1)
			close(sp.cmds[i].pidfd);
}

static void
watch_fd(int fd, unsigned long long tag, int index)
{
	struct epoll_event ev = { .events = EPOLLIN,
	    .data.u64 = tag << 32 | (unsigned)index };

	if (epoll_ctl(sp.epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		fatal("epoll_ctl");
}

void
spawner_run(void)
{
	struct epoll_event ev[EVENTS_MAX];
	int n = epoll_wait(sp.epfd, ev, EVENTS_MAX, 0);

	if (n == -1 && errno != EINTR)
		fatal("epoll_wait");
	for (int k = 0; k < n; k++) {
		int i = (int)(ev[k].data.u64 & 0xffffffffU);

		if (ev[k].data.u64 >> 32 == TAG_LINK) {
			if (sp.links[i].fd != -1)
				link_readable(i);
		} else if (sp.cmds[i].used && !sp.cmds[i].exited)
			leader_check(&sp.cmds[i]);
	}
	if (sp.poll_at != 0 && now_ms() >= sp.poll_at)
		poll_leaders();
	if (sp.watch_at != 0 && now_ms() >= sp.watch_at)
		watch_all();
}

long long
spawner_next_at(void)
{
	long long t = 0;

	for (int i = 0; sp.poll_at == 0 && i < COMMANDS_MAX; i++)
		if (sp.cmds[i].used && !sp.cmds[i].exited &&
		    sp.cmds[i].pidfd == -1)
			sp.poll_at = now_ms() + NO_PIDFD_TICK_MS;
	deadline_merge(&t, sp.poll_at);
	deadline_merge(&t, sp.watch_at);
	return t;
}

static void
poll_leaders(void)
{
	sp.poll_at = 0;
	for (int i = 0; i < COMMANDS_MAX; i++) {
		struct command *c = &sp.cmds[i];

		if (c->used && !c->exited && c->pidfd == -1)
			leader_check(c);
	}
}

static void
link_readable(int i)
{
	struct spawn_in *in = &sp.in;

	for (int k = 0; k < LINK_BURST && sp.links[i].fd != -1; k++) {
		int r = spawnmsg_recv(sp.links[i].fd, in);

		if (r == -1 && errno == EAGAIN)
			return;
		if (r == -1 && errno == EBADMSG) {
			log_warnx("worker %d: a malformed message",
			    (int)sp.links[i].worker);
			continue;
		}
		if (r <= 0) {
			link_closed(i);
			return;
		}
		/* Workers send none: a descriptor is never taken from one. */
		spawnmsg_close_fds(in);
		dispatch(i, in);
	}
}

/* The worker is gone: what it ran cannot be ended by it any more. */
static void
link_closed(int i)
{
	struct link *l = &sp.links[i];

	if (l->cmd != -1) {
		struct command *c = &sp.cmds[l->cmd];

		c->link = -1;
		c->watched = false;
		end_now(c);
		if (c->exited)
			forget(c);
	}
	(void)epoll_ctl(sp.epfd, EPOLL_CTL_DEL, l->fd, NULL);
	close(l->fd);
	*l = (struct link){ .fd = -1, .cmd = -1 };
}

static void
dispatch(int i, const struct spawn_in *in)
{
	struct command *c;

	if (in->m.type == SM_START) {
		start(i, in);
		return;
	}
	if (in->m.type == SM_CONNECT) {
		connect_for(i, in);
		return;
	}
	if (in->m.type == SM_GROW)
		return;		/* waking the master was the point */
	if ((c = own_command(i, in->m.pid)) == NULL) {
		log_debug("worker %d: message %u for pid %d, not its command",
		    (int)sp.links[i].worker, in->m.type, (int)in->m.pid);
		return;
	}
	switch (in->m.type) {
	case SM_SIGNAL:
		deliver(c, &in->m);
		break;
	case SM_WATCH:
		watch_start(c);
		break;
	case SM_RELEASE:
		release(c);
		break;
	default:
		log_warnx("worker %d: unexpected message %u",
		    (int)sp.links[i].worker, in->m.type);
		break;
	}
}

static void
start(int i, const struct spawn_in *in)
{
	struct proto_error e;
	struct exec_req req;
	struct child ch;

	if (sp.links[i].cmd != -1) {
		proto_error_set(&e, ERR_INTERNAL, "a command runs already");
		fail(i, &e);
		return;
	}
	if (parse_request(in, &req, &e) == -1) {
		fail(i, &e);
		return;
	}
	if (admit(&req, &e) == -1 ||
	    spawn_command(sp.cf, &req, &ch, &e) == -1) {
		exec_req_free(&req);
		fail(i, &e);
		return;
	}
	exec_req_free(&req);
	if (new_command(i, &ch) == -1) {
		/* No room: it cannot be watched, so it does not run. */
		(void)kill(-ch.pid, SIGKILL);
		cmd_leader_reap_wait(ch.pid);
		proto_error_set(&e, ERR_INTERNAL, "too many commands");
		fail(i, &e);
	} else
		send_started(i, &ch);
	close(ch.out_fd);
	if (ch.in_fd != -1)
		close(ch.in_fd);
	if (ch.err_fd != -1)
		close(ch.err_fd);
}

/* The request's header as a frame of type t, for the validation the
 * decoder's frames get: the one that is fuzzed. */
static int
load_request(const struct spawn_in *in, enum frame_type t, struct frame *f,
    struct proto_error *e)
{
	json_error_t jerr;

	*f = (struct frame){ .type = t };
	f->hdr = json_loadb(in->text, in->m.len, JSON_REJECT_DUPLICATES, &jerr);
	if (f->hdr == NULL || !json_is_object(f->hdr)) {
		json_decref(f->hdr);
		proto_error_set(e, ERR_INTERNAL, "a bad request from the "
		    "worker");
		return -1;
	}
	return 0;
}

static int
parse_request(const struct spawn_in *in, struct exec_req *req,
    struct proto_error *e)
{
	struct frame f;
	int r;

	if (load_request(in, FRAME_EXEC, &f, e) == -1)
		return -1;
	r = msg_parse_exec(&f, req, e);
	json_decref(f.hdr);
	return r;
}

/* The worker checked all this; a worker may be the attacker's. */
static int
admit(const struct exec_req *req, struct proto_error *e)
{
	if ((req->pty.on || req->login) && !sp.cf->allow_pty) {
		proto_error_set(e, ERR_AUTH, "pty and login sessions are not "
		    "allowed (allow_pty = no)");
		return -1;
	}
	return admit_account(req->user, e) != NULL ? 0 : -1;
}

/* account_get's rules: users, allow_root, sshd's, never the workers'
 * own account. */
static const struct account *
admit_account(const char *user, struct proto_error *e)
{
	const struct account *a;
	const char *why;
	char name[TEXTSAFE_SIZE(USER_MAX)];

	if ((a = account_get(sp.cf, user, &why)) != NULL)
		return a;
	if (user == NULL) {
		proto_error_set(e, ERR_INTERNAL, "%s", why);
		return NULL;
	}
	log_info("spawner: account '%s' refused: %s", text_safe_str(name,
	    sizeof(name), user, 0), why);
	proto_error_set(e, ERR_AUTH, ACCOUNT_REFUSED);
	return NULL;
}

/*
 * A connect request: its connector is forked and tracked as a command
 * of no worker (reaped by pid when it exits, killed at a hard stop);
 * the worker gets the connector's end of the socketpair at once.
 */
static void
connect_for(int i, const struct spawn_in *in)
{
	struct spawn_msg m = { .type = SM_CONNECTING };
	struct proto_error e;
	struct child ch = { .in_fd = -1, .out_fd = -1, .err_fd = -1 };
	int end;

	if (start_connector(in, &ch.pid, &end, &e) == -1) {
		fail(i, &e);
		return;
	}
	if (add_command(-1, &ch) == -1) {
		(void)kill(-ch.pid, SIGKILL);
		cmd_leader_reap_wait(ch.pid);
		close(end);
		proto_error_set(&e, ERR_INTERNAL, "too many commands");
		fail(i, &e);
		return;
	}
	m.pid = ch.pid;
	if (spawnmsg_send(sp.links[i].fd, &m, NULL, &end, 1) == -1) {
		log_warn("worker %d: cannot hand over a connection",
		    (int)sp.links[i].worker);
		link_closed(i);
	}
	close(end);
}

static int
start_connector(const struct spawn_in *in, pid_t *pid, int *end,
    struct proto_error *e)
{
	const struct account *a;
	struct connect_req req;
	struct frame f;
	int r;

	if (load_request(in, FRAME_CONNECT, &f, e) == -1)
		return -1;
	r = msg_parse_connect(&f, &req, e);
	json_decref(f.hdr);
	if (r == -1)
		return -1;
	if (!sp.cf->allow_forward) {
		proto_error_set(e, ERR_AUTH, "forwarding is not allowed "
		    "(allow_forward = no)");
		r = -1;
	} else if ((a = admit_account(req.user, e)) == NULL)
		r = -1;
	else
		r = connector_start(sp.cf, a, &req, pid, end, e);
	connect_req_free(&req);
	return r;
}

/* An entry for a process of ours to reap by pid; its index, or -1. */
static int
add_command(int link, const struct child *ch)
{
	int k;

	for (k = 0; k < COMMANDS_MAX && sp.cmds[k].used; k++)
		;
	if (k == COMMANDS_MAX)
		return -1;
	sp.cmds[k] = (struct command){ .used = true, .pid = ch->pid,
	    .link = link, .pty = ch->pty };
	/* -1 is fine: the tick looks instead (valgrind has no pidfd). */
	sp.cmds[k].pidfd = (int)syscall(SYS_pidfd_open, ch->pid, 0);
	if (sp.cmds[k].pidfd != -1)
		watch_fd(sp.cmds[k].pidfd, TAG_CMD, k);
	return k;
}

static int
new_command(int i, const struct child *ch)
{
	int k = add_command(i, ch);

	if (k == -1)
		return -1;
	sp.links[i].cmd = k;
	return 0;
}

static void
send_started(int i, const struct child *ch)
{
	struct spawn_msg m = { .type = SM_STARTED, .pid = ch->pid };
	int fds[SPAWN_FDS_MAX], n = 0;

	if (ch->pty) {
		m.scope = STARTED_PTY;
		fds[n++] = ch->out_fd;
	} else {
		if (ch->in_fd != -1) {
			m.scope = STARTED_STDIN;
			fds[n++] = ch->in_fd;
		}
		fds[n++] = ch->out_fd;
		fds[n++] = ch->err_fd;
	}
	if (spawnmsg_send(sp.links[i].fd, &m, NULL, fds, n) == -1) {
		log_warn("worker %d: cannot hand over a command",
		    (int)sp.links[i].worker);
		link_closed(i);
	}
}

static void
fail(int i, const struct proto_error *e)
{
	struct spawn_msg m = { .type = SM_FAILED, .arg = (int)e->code };

	if (spawnmsg_send(sp.links[i].fd, &m, e->message, NULL, 0) == -1)
		link_closed(i);
}

static struct command *
own_command(int i, pid_t pid)
{
	int k = sp.links[i].cmd;

	return k != -1 && sp.cmds[k].pid == pid ? &sp.cmds[k] : NULL;
}

/* The leader stays unreaped until released: its pid, which names the
 * group and the session, cannot meanwhile name anyone else's. */
static void
deliver(struct command *c, const struct spawn_msg *m)
{
	int n = 0;

	if (!signal_allowed(m->arg))
		return;
	for (int pass = 0; pass < 2; pass++) {
		int sig = pass == 0 ? m->arg : SIGCONT;

		if (pass == 1 && (n == 0 || !(m->scope & SIG_CONT_AFTER)))
			break;
		if ((m->scope & SIG_GROUP) && kill(-c->pid, sig) == 0)
			n++;
		if (m->scope & SIG_SESSION)
			n += cmd_signal(c->pid, true, sig) > 0;
		if ((m->scope & SIG_FOREGROUND) && m->pgrp > 0 &&
		    m->pgrp != c->pid)
			n += cmd_signal_group_in(c->pid, m->pgrp, sig) > 0;
	}
}

/* What a client may send, what the stream sends to end or hang up. */
static bool
signal_allowed(int sig)
{
	switch (sig) {
	case SIGINT: case SIGTERM: case SIGHUP: case SIGKILL: case SIGQUIT:
	case SIGUSR1: case SIGUSR2: case SIGCONT:
		return true;
	default:
		return false;
	}
}

/* A new group to wait for: looked at now, then soon again. */
static void
watch_start(struct command *c)
{
	c->watched = true;
	sp.watch_ms = WATCH_FIRST_MS;
	watch_all();
}

/*
 * Every group waited for, at once: without a look at /proc when our
 * children prove them empty, else in one pass over /proc for all.
 */
static void
watch_all(void)
{
	static struct cmd_live live[COMMANDS_MAX];
	static struct command *of[COMMANDS_MAX];
	bool lingers = false, proven;
	int n = watched(live, of);

	sp.watch_at = 0;
	if (n == 0)
		return;
	if (!(proven = no_strays()) && cmd_count_live(live, n) == -1) {
		log_warn("/proc");
		lingers = true;
		n = 0;
	}
	for (int k = 0; k < n; k++)
		lingers |= !gone_if(of[k], proven ? of[k]->exited :
		    live[k].live == 0);
	if (lingers) {
		sp.watch_at = now_ms() + sp.watch_ms;
		sp.watch_ms = sp.watch_ms * 2 > WATCH_MAX_MS ? WATCH_MAX_MS :
		    sp.watch_ms * 2;
	}
}

/* Tells the worker its group is gone, if it is; whether it was. */
static bool
gone_if(struct command *c, bool gone)
{
	if (gone) {
		c->watched = false;
		tell(c, SM_GONE, 0);
	}
	return gone;
}

/*
 * Whether each child of ours is a worker or a command's leader.  Then an
 * exited leader's group (session) has no process left: all descend from
 * the leader, and each whose parent died came to us, the subreaper.
 */
static bool
no_strays(void)
{
	static pid_t kids[CHILDREN_MAX];
	int n, known = 0;

	if (!sp.subreaper || (n = cmd_children(kids, CHILDREN_MAX)) == -1)
		return false;
	qsort(kids, (size_t)n, sizeof(kids[0]), pid_cmp);
	for (int i = 0; i < LINKS_MAX; i++)
		if (sp.links[i].fd != -1 && sp.links[i].worker > 0)
			known += bsearch(&sp.links[i].worker, kids, (size_t)n,
			    sizeof(kids[0]), pid_cmp) != NULL;
	for (int k = 0; k < COMMANDS_MAX; k++)
		if (sp.cmds[k].used)
			known += bsearch(&sp.cmds[k].pid, kids, (size_t)n,
			    sizeof(kids[0]), pid_cmp) != NULL;
	return known == n;
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* The commands waited for, with their groups to count; how many. */
static int
watched(struct cmd_live *live, struct command **of)
{
	int n = 0;

	for (int i = 0; i < COMMANDS_MAX; i++) {
		struct command *c = &sp.cmds[i];

		if (!c->used || !c->watched)
			continue;
		live[n] = (struct cmd_live){ .leader = c->pid,
		    .session = c->pty };
		of[n++] = c;
	}
	return n;
}

void
spawner_orphan_reaped(void)
{
	if (sp.watch_at != 0)
		sp.watch_at = now_ms();
}

static void
release(struct command *c)
{
	sp.links[c->link].cmd = -1;
	c->link = -1;
	c->watched = false;
	if (c->exited)
		forget(c);
	else
		end_now(c);	/* the worker gave up on it */
}

static void
leader_check(struct command *c)
{
	int status;
	int r = cmd_leader_exited(c->pid, &status);

	if (r == 1)
		leader_exited(c, status);
	else if (r == -1) {
		log_warn("waitid %d", (int)c->pid);
		leader_exited(c, 0);
	}
}

static void
leader_exited(struct command *c, int status)
{
	c->exited = true;
	c->status = status;
	if (c->pidfd != -1) {
		(void)epoll_ctl(sp.epfd, EPOLL_CTL_DEL, c->pidfd, NULL);
		close(c->pidfd);
		c->pidfd = -1;
	}
	if (c->link == -1)
		forget(c);
	else
		tell(c, SM_EXITED, status);
}

static void
end_now(struct command *c)
{
	(void)kill(-c->pid, SIGKILL);
	if (c->pty)
		(void)cmd_signal(c->pid, true, SIGKILL);
}

/* Reaps the leader and frees the entry. */
static void
forget(struct command *c)
{
	cmd_leader_reap(c->pid);
	if (c->pidfd != -1) {
		(void)epoll_ctl(sp.epfd, EPOLL_CTL_DEL, c->pidfd, NULL);
		close(c->pidfd);
	}
	*c = (struct command){ .used = false, .pidfd = -1, .link = -1 };
}

static void
tell(struct command *c, enum spawn_msg_type type, int arg)
{
	struct spawn_msg m = { .type = type, .pid = c->pid, .arg = arg };
	int i = c->link;

	if (i != -1 && spawnmsg_send(sp.links[i].fd, &m, NULL, NULL, 0) == -1)
		link_closed(i);
}

bool
spawner_owns(pid_t pid)
{
	for (int k = 0; k < COMMANDS_MAX; k++)
		if (sp.cmds[k].used && sp.cmds[k].pid == pid)
			return true;
	return false;
}

void
spawner_kill_all(void)
{
	for (int k = 0; k < COMMANDS_MAX; k++)
		if (sp.cmds[k].used)
			end_now(&sp.cmds[k]);
}
