/* SPDX-License-Identifier: ISC */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "copy.h"
#include "engine.h"
#include "fail.h"
#include "instore.h"
#include "output.h"
#include "progress.h"
#include "rolling.h"
#include "resolver.h"
#include "results.h"
#include "signals.h"
#include "terminal.h"

/* Rounds in a row that did not wait before one poll that does not wait:
 * a stream where nothing ever blocks must still see signals. */
#define BUSY_ROUNDS_MAX		32
/* The third SIGINT within this window gives up on every command. */
#define INTERRUPT_WINDOW_MS	2000
/* Descriptors beside the connections: stdio, signalfd, a spill file,
 * what libc may open (resolver, locale). */
#define SPARE_FDS		16
/* Room for forwarded connections (-L) at first; it doubles as needed. */
#define SIDE_SLOTS_MIN		16
/* Connections accepted from one listener per round: the others are
 * served meanwhile. */
#define ACCEPT_BURST		32
/* Out of descriptors: accept again after this long, not in a spin. */
#define ACCEPT_BACKOFF_MS	200

enum { PFD_SIG, PFD_STDIN, PFD_OUT, PFD_ERR, PFD_RESOLVER,
	PFD_FIXED = PFD_RESOLVER + RESOLVER_SOCKS };

struct engine {
	const struct engine_opts *o;
	struct host		*hosts;
	size_t			 n;
	size_t			 next;		/* the next host to start */
	struct conn		**slots;	/* fanout, then side_cap */
	size_t			 nslots;
	size_t			 active;
	/* Forwarded connections (-L), each with a host of its own, in
	 * slots[nslots..nslots + side_cap): outside the fanout and the
	 * outcome. */
	size_t			 side_cap;
	size_t			 nside;
	long long		 accept_at;	/* after EMFILE */
	int			 stop_signo;	/* what stopped a -N run */
	bool			 hooked;		/* on_start called */
	struct pollfd		*pfd;		/* PFD_FIXED + nlisten +
						 * CONN_PFDS per slot */
	int			 sigfd;
	bool			 stopping;	/* start no more */
	const char		*halt;		/* why, when not a signal */
	size_t			 batch_end;	/* hosts before it may start */
	size_t			 batch;		/* hosts per batch */
	size_t			 batch_no;	/* from 1 */
	size_t			 nbatches;
	size_t			 ndone;
	size_t			 nfailed;
	char			 halt_buf[64];
	bool			 given_up;
	int			 nsigint;
	long long		 sigint_ms[2];	/* the two latest SIGINTs */
	unsigned		 busy_rounds;
	size_t			 first;		/* pumped first, in turn */
};

static int	 raise_nofile(size_t conns);
static void	 launch(struct engine *);
static bool	 round_once(struct engine *);
static bool	 pump_stdin(struct engine *);
static void	 run_loop(struct engine *);
static void	 wait_events(struct engine *, int timeout);
static long long set_pollfds(struct engine *);
static void	 dispatch(struct engine *, int ready);
static int	 largest_status(const struct host *, size_t);
static void	 on_signals(struct engine *);
static void	 resize(struct engine *);
static void	 retire(struct engine *, size_t slot);
static void	 not_started(struct engine *);
static bool	 next_batch(struct engine *);
static void	 count_outcome(struct engine *, struct host *);
static void	 halt(struct engine *, const char *why, bool term);
static void	 batch_status(const struct engine *);
static void	 source_failed(struct engine *);
static size_t	 nall(const struct engine *);
static struct pollfd *slot_pfd(const struct engine *, size_t slot);
static bool	 serving(struct engine *);
static void	 accept_conns(struct engine *, const struct engine_listen *);
static int	 start_side(struct engine *, const struct engine_listen *,
		    int fd);
static int	 grow_side(struct engine *);
static void	 started_hook(struct engine *, struct conn *);

int
engine_run(struct host *hosts, size_t n, const struct engine_opts *o)
{
	struct engine e = { .o = o, .hosts = hosts, .n = n, .sigfd = -1 };
	int status = 0;

	e.nslots = o->fanout < n ? o->fanout : n;
	e.batch = o->batch > 0 && o->batch < n ? o->batch : n;
	e.batch_end = e.batch;
	e.batch_no = 1;
	e.nbatches = n > 0 ? rolling_batches(n, e.batch) : 0;
	for (size_t i = 0; i < n; i++) {
		hosts[i].status = 255;
		hosts[i].fail = HOST_NOT_STARTED;
	}
	if (raise_nofile(e.nslots) == -1)
		return 255;
	if (o->nlisten > 0) {
		/* Best effort: forwards come and go beyond any fanout. */
		(void)raise_nofile(0);
		e.side_cap = SIDE_SLOTS_MIN;
		if ((e.sigfd = signals_open()) == -1) {
			report("signalfd: %s", strerror(errno));
			return 255;
		}
	}
	e.slots = calloc(nall(&e), sizeof(*e.slots));
	e.pfd = calloc(PFD_FIXED + o->nlisten + CONN_PFDS * nall(&e),
	    sizeof(*e.pfd));
	if (e.slots == NULL || e.pfd == NULL ||
	    (o->stdin_open && instore_init(n > e.nslots) == -1)) {
		report("out of memory");
		status = 255;
		goto out;
	}
	batch_status(&e);
	if (o->stdin_open && o->copy != NULL && copy_sends(o->copy))
		instore_set_source(copy_fill, o->copy);
	progress_start(o->copy != NULL && isatty(2));
	run_loop(&e);
	progress_end();
	not_started(&e);
	if (o->status_line)
		output_status(NULL);
	output_flush();
	results_finish(hosts, n, o);
	status = largest_status(hosts, n);
	/* No command: only a signal ends it, and SIGTERM is the way to
	 * (0), as for ssh -N. */
	if (n == 0)
		status = e.stop_signo == SIGTERM ? 0 : 255;
out:
	signals_close();
	resolver_end();
	instore_free();
	free(e.slots);
	free(e.pfd);
	return status;
}

/* Until every host is done, or a signal stopped the rest. */
static void
run_loop(struct engine *e)
{
	for (;;) {
		launch(e);
		if (e->active == 0 && next_batch(e))
			continue;
		if (e->active == 0 && (e->next == e->n || e->stopping) &&
		    !serving(e))
			break;
		if (e->o->copy != NULL)
			progress_tick(copy_sends(e->o->copy) ? instore_end() :
			    copy_spooled(), e->ndone, e->n);
		if (!round_once(e))
			wait_events(e, -1);
		else if (++e->busy_rounds >= BUSY_ROUNDS_MAX)
			wait_events(e, 0);
	}
}

/* The previous batch has ended (nothing runs): the next may start. */
static bool
next_batch(struct engine *e)
{
	if (e->stopping || e->next < e->batch_end || e->batch_end == e->n)
		return false;
	e->batch_end = e->n - e->batch_end > e->batch ?
	    e->batch_end + e->batch : e->n;
	e->batch_no++;
	batch_status(e);
	return true;
}

static size_t
nall(const struct engine *e)
{
	return e->nslots + e->side_cap;
}

static struct pollfd *
slot_pfd(const struct engine *e, size_t slot)
{
	return &e->pfd[PFD_FIXED + e->o->nlisten + CONN_PFDS * slot];
}

/*
 * The hosts are done (or stopping): forwards go on only while nothing
 * else is to end, that is with no command (-N) and no signal yet; then
 * those open are dropped, and the run ends when they are gone.
 */
static bool
serving(struct engine *e)
{
	if (e->o->nlisten == 0)
		return false;
	if (e->n > 0 || e->stopping) {
		e->stopping = true;
		for (size_t i = e->nslots; i < nall(e); i++)
			if (e->slots[i] != NULL)
				conn_drop(e->slots[i]);
	}
	return e->nside > 0 || !e->stopping;
}

/* Hosts that did not run have no status, yet never leave it 0. */
static int
largest_status(const struct host *hosts, size_t n)
{
	int status = 0;
	bool not_run = false;

	for (size_t i = 0; i < n; i++)
		if (hosts[i].fail == HOST_NOT_STARTED)
			not_run = true;
		else if (hosts[i].status > status)
			status = hosts[i].status;
	return status == 0 && not_run ? 255 : status;
}

/* Enough descriptors for the fanout: the soft limit up to the hard one. */
static int
raise_nofile(size_t conns)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)conns + SPARE_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (conns == 0)
		need = rl.rlim_max;	/* as many as may be */
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need) {
		report("a fanout of %zu needs %llu open files; the limit is "
		    "%llu (ulimit -Hn): lower -f", conns,
		    (unsigned long long)need,
		    (unsigned long long)rl.rlim_max);
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
		report("cannot raise the open file limit to %llu: %s",
		    (unsigned long long)need, strerror(errno));
		return -1;
	}
	return 0;
}

/* Hosts start in list order while there is room under the fanout. */
static void
launch(struct engine *e)
{
	size_t slot = 0;

	while (!e->stopping && e->active < e->nslots &&
	    e->next < e->batch_end) {
		struct host *h = &e->hosts[e->next++];
		if (h->done)
			continue;
		while (e->slots[slot] != NULL)
			slot++;
		h->status = 255;
		if ((e->slots[slot] = conn_start(h, e->o)) == NULL)
			continue;
		e->active++;
	}
	if (e->o->stdin_open)
		instore_keep_all(!e->stopping && e->next < e->n);
}

/* One try at everything that need not wait; true when another round
 * could move more without a poll. */
static bool
round_once(struct engine *e)
{
	bool more = output_pump();

	/* Each in turn pumps first: output room goes round, not to the
	 * first slots. */
	e->first = e->first + 1 < nall(e) ? e->first + 1 : 0;
	for (size_t k = 0; k < nall(e); k++) {
		size_t i = (e->first + k) % nall(e);
		struct conn *c = e->slots[i];
		if (c == NULL)
			continue;
		if (conn_pump(c))
			more = true;
		if (e->sigfd == -1 && conn_connected(c) &&
		    (e->sigfd = signals_open()) == -1) {
			report("signalfd: %s", strerror(errno));
			conn_interrupt(c, "cannot forward signals");
		}
		if (i < e->nslots)
			started_hook(e, c);
		if (conn_done(c)) {
			retire(e, i);
			more = true;
		}
	}
	if (e->o->stdin_open && pump_stdin(e))
		more = true;
	return more || output_may_write();
}

/* -f: the first command started, the rest goes on in the background. */
static void
started_hook(struct engine *e, struct conn *c)
{
	void (*hook)(void) = e->o->on_start;

	if (hook != NULL && !e->hooked && conn_started(c)) {
		e->hooked = true;
		hook();
	}
}

/*
 * The broadcast moves in step: stdin is read again only once every
 * connection that takes it has sent all read so far (a slow host slows
 * all), and only once a command started (a refused request consumes
 * none of it).
 */
static bool
pump_stdin(struct engine *e)
{
	bool started = false;

	for (size_t i = 0; i < e->nslots; i++) {
		struct conn *c = e->slots[i];
		enum conn_stdin s;
		if (c == NULL || (s = conn_stdin(c)) == CONN_STDIN_NONE)
			continue;
		if (s == CONN_STDIN_BEHIND)
			return false;
		started |= conn_started(c);
	}
	if (!started || instore_eof())
		return false;
	instore_consumed();
	if (!instore_may_read())
		return false;
	instore_read();
	if (instore_failed())
		source_failed(e);
	if (instore_disconnect())
		for (size_t i = 0; i < e->nslots; i++)
			if (e->slots[i] != NULL)
				conn_interrupt(e->slots[i], "disconnected (~.)");
	return true;
}

/* A file of the copy could not be read: no host gets a cut stream. */
static void
source_failed(struct engine *e)
{
	char why[sizeof(e->hosts[0].reason)];

	snprintf(why, sizeof(why), "%s", copy_fill_error(e->o->copy));
	e->stopping = true;
	for (size_t i = 0; i < e->nslots; i++)
		if (e->slots[i] != NULL)
			conn_interrupt(e->slots[i], why);
}

static void
retire(struct engine *e, size_t slot)
{
	struct host *h = conn_host(e->slots[slot]);

	conn_free(e->slots[slot]);
	e->slots[slot] = NULL;
	if (slot >= e->nslots) {
		e->nside--;
		free(h);
		return;
	}
	e->active--;
	count_outcome(e, h);
}

/* Accepts what is waiting, a burst at a time; out of descriptors, it
 * waits a little (the connections stay queued). */
static void
accept_conns(struct engine *e, const struct engine_listen *l)
{
	for (int k = 0; k < ACCEPT_BURST; k++) {
		int fd = accept4(l->fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				e->accept_at = now_ms() + ACCEPT_BACKOFF_MS;
			if (errno == ECONNABORTED || errno == EINTR)
				continue;
			return;
		}
		if (start_side(e, l, fd) == -1) {
			close(fd);
			e->accept_at = now_ms() + ACCEPT_BACKOFF_MS;
			return;
		}
	}
}

/* A forwarded connection: l's request to a host of its own, as l's. */
static int
start_side(struct engine *e, const struct engine_listen *l, int fd)
{
	struct host *h;
	size_t i;

	if (e->nside == e->side_cap && grow_side(e) == -1)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return -1;
	h->label = l->host->label;
	h->name = l->host->name;
	h->port = l->host->port;
	h->user = l->host->user;
	h->status = 255;
	for (i = e->nslots; e->slots[i] != NULL; i++)
		;
	if ((e->slots[i] = conn_start_stream(h, e->o, l->request, fd)) ==
	    NULL) {
		free(h);
		return -1;
	}
	e->nside++;
	return 0;
}

/* Twice the room for forwards; 0 or -1. */
static int
grow_side(struct engine *e)
{
	size_t cap = e->side_cap * 2, all = e->nslots + cap;
	struct conn **slots;
	struct pollfd *pfd;

	if ((slots = reallocarray(e->slots, all, sizeof(*slots))) == NULL)
		return -1;
	e->slots = slots;
	memset(slots + nall(e), 0, e->side_cap * sizeof(*slots));
	pfd = reallocarray(e->pfd, PFD_FIXED + e->o->nlisten +
	    CONN_PFDS * all, sizeof(*pfd));
	if (pfd == NULL)
		return -1;
	e->pfd = pfd;
	e->side_cap = cap;
	return 0;
}

/* --max-fail and -k: what a failure means for the hosts to come. */
static void
count_outcome(struct engine *e, struct host *h)
{
	const struct engine_opts *o = e->o;

	e->ndone++;
	if (h->fail == HOST_NOT_STARTED) {
		if (e->halt != NULL)
			snprintf(h->reason, sizeof(h->reason), "%s", e->halt);
	} else if (h->status != 0) {
		e->nfailed++;
		/* With both, -k acts at --max-fail's limit (as GNU
		 * parallel's --halt now,fail=N+1). */
		if (o->max_fail_set && e->nfailed > o->max_fail) {
			snprintf(e->halt_buf, sizeof(e->halt_buf), "more than "
			    "%zu hosts failed (--max-fail)", o->max_fail);
			halt(e, e->halt_buf, o->fail_fast);
		} else if (!o->max_fail_set && o->fail_fast)
			halt(e, "a host failed (-k)", true);
	}
	batch_status(e);
}

/* No more hosts start; with term, those running get TERM (pdsh -k). */
static void
halt(struct engine *e, const char *why, bool term)
{
	if (e->stopping)
		return;
	e->stopping = true;
	e->halt = why;
	if (!term)
		return;
	for (size_t i = 0; i < e->nslots; i++)
		if (e->slots[i] != NULL)
			conn_signal(e->slots[i], SIGTERM);
}

/* "batch 2 of 5: 12 of 50 hosts done, 1 failed", on a terminal. */
static void
batch_status(const struct engine *e)
{
	char line[OUTPUT_STATUS_MAX];

	if (!e->o->status_line)
		return;
	snprintf(line, sizeof(line), "rexec: batch %zu of %zu: %zu of %zu "
	    "hosts done, %zu failed", e->batch_no, e->nbatches, e->ndone,
	    e->n, e->nfailed);
	output_status(line);
}

/* Waits (timeout -1: until the nearest deadline) or only looks (0). */
static void
wait_events(struct engine *e, int timeout)
{
	long long deadline = set_pollfds(e);
	int n;

	e->busy_rounds = 0;
	if (timeout == -1)
		timeout = deadline_timeout(deadline, now_ms());
	n = poll(e->pfd, PFD_FIXED + e->o->nlisten + CONN_PFDS * nall(e),
	    timeout);
	if (n == -1 && errno != EINTR) {
		report("poll: %s", strerror(errno));
		e->stopping = true;
		for (size_t i = 0; i < nall(e); i++)
			if (e->slots[i] != NULL)
				conn_interrupt(e->slots[i], "interrupted");
		return;
	}
	dispatch(e, n);
}

/* What each party waits for; returns the nearest deadline (0: none). */
static long long
set_pollfds(struct engine *e)
{
	struct pollfd *pfd = e->pfd;
	long long deadline = 0;

	pfd[PFD_SIG] = (struct pollfd){ .fd = e->sigfd, .events = POLLIN };
	pfd[PFD_STDIN] = (struct pollfd){ .fd = -1 };
	if (e->o->stdin_open)
		instore_pollfd(&pfd[PFD_STDIN]);
	output_pollfds(&pfd[PFD_OUT]);
	resolver_pollfds(&pfd[PFD_RESOLVER], &deadline);
	for (size_t k = 0; k < e->o->nlisten; k++) {
		pfd[PFD_FIXED + k] = (struct pollfd){ .fd = -1 };
		if (e->stopping)
			continue;
		if (e->accept_at > now_ms())
			deadline_merge(&deadline, e->accept_at);
		else
			pfd[PFD_FIXED + k] = (struct pollfd){
			    .fd = e->o->listen[k].fd, .events = POLLIN };
	}
	for (size_t i = 0; i < nall(e); i++) {
		struct pollfd *p = slot_pfd(e, i);
		p[0] = p[1] = (struct pollfd){ .fd = -1 };
		if (e->slots[i] != NULL)
			conn_pollfd(e->slots[i], p, &deadline);
	}
	return deadline;
}

/* Tells each party what happened: ready descriptors, passed deadlines. */
static void
dispatch(struct engine *e, int ready)
{
	const struct pollfd *pfd = e->pfd;
	long long now = now_ms();

	if (ready > 0 && pfd[PFD_SIG].revents != 0)
		on_signals(e);
	if (ready > 0 && e->o->stdin_open)
		instore_ready(&pfd[PFD_STDIN]);
	if (ready > 0)
		output_ready(&pfd[PFD_OUT]);
	/* Always: answers found without a socket, and queries timed out. */
	resolver_ready(&pfd[PFD_RESOLVER]);
	for (size_t i = 0; i < nall(e); i++) {
		struct conn *c = e->slots[i];
		if (c == NULL)
			continue;
		if (ready > 0)
			conn_ready(c, slot_pfd(e, i));
		conn_tick(c, now);
	}
	/* Last: the slots and pfd may move as forwards are added. */
	for (size_t k = 0; ready > 0 && k < e->o->nlisten; k++)
		if (e->pfd[PFD_FIXED + k].fd != -1 &&
		    e->pfd[PFD_FIXED + k].revents != 0)
			accept_conns(e, &e->o->listen[k]);
}

/* Forwarded to every running command; the third SIGINT in a row gives
 * up on all of them. */
static void
on_signals(struct engine *e)
{
	int signo;

	while ((signo = signals_next(e->sigfd)) > 0) {
		if (signo == SIGWINCH) {
			resize(e);
			continue;
		}
		e->stopping = true;
		if (e->n == 0) {
			e->stop_signo = signo;
			continue;
		}
		if (signo == SIGINT) {
			long long now = now_ms();
			if (e->nsigint >= 2 &&
			    now - e->sigint_ms[0] <= INTERRUPT_WINDOW_MS) {
				for (size_t i = 0; i < e->nslots; i++)
					if (e->slots[i] != NULL)
						conn_interrupt(e->slots[i], "interrupted");
				return;
			}
			e->sigint_ms[0] = e->sigint_ms[1];
			e->sigint_ms[1] = now;
			e->nsigint++;
		}
		for (size_t i = 0; i < e->nslots; i++)
			if (e->slots[i] != NULL)
				conn_signal(e->slots[i], signo);
	}
}

/* The local terminal's new size, for a pty session (none else asks). */
static void
resize(struct engine *e)
{
	term_on_winch();
	for (size_t i = 0; i < e->nslots; i++)
		if (e->slots[i] != NULL && conn_started(e->slots[i]))
			conn_send_winsize(e->slots[i]);
}

/* Hosts a signal, --max-fail or -k kept from starting: "not run". */
static void
not_started(struct engine *e)
{
	for (size_t i = e->next; i < e->n; i++)
		if (!e->hosts[i].done) {
			struct host *h = &e->hosts[i];
			h->done = true;
			snprintf(h->reason, sizeof(h->reason), "%s",
			    e->halt != NULL ? e->halt : "interrupted");
			results_host_done(h, e->o);
		}
}
