/* SPDX-License-Identifier: ISC */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <bsd/unistd.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "frame.h"
#include "log.h"
#include "privsep.h"
#include "session.h"
#include "worker.h"
#include "wsignal.h"

#define EMFILE_BACKOFF_MS	100

struct worker {
	const struct config	*cf;
	struct slot		*slot;
	struct listeners	*l;
	struct wsignal		 sig;
	int			 epfd;
	struct session_ctx	 sc;
};

static void	setup_epoll(struct worker *);
static void	serve(struct worker *);
static bool	more_requests(const struct worker *);
static void	accept_one(struct worker *, int lfd);

void
worker_main(const struct config *cf, struct scoreboard *sb,
    struct slot *slot, struct listeners *l, pid_t master, int link)
{
	struct worker w = { .cf = cf, .slot = slot, .l = l, .epfd = -1 };
	unsigned char *buf;

	log_settag("worker");
	slot_pid(slot, getpid());
	privsep_worker(cf);
	wsignal_open(&w.sig, l, master);
	setup_epoll(&w);
	if ((buf = malloc(FRAME_DATA_CHUNK)) == NULL)
		fatal("malloc");
	w.sc = (struct session_ctx){ .cf = cf, .sb = sb, .slot = slot,
	    .l = l, .link = link, .sig = &w.sig, .buf = buf };
	serve(&w);
	log_debug("exiting after %lu requests", slot->requests);
	slot_exiting(slot);
	exit(0);
}

static void
setup_epoll(struct worker *w)
{
	struct epoll_event ev = { 0 };

	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	/* EPOLLEXCLUSIVE: one connection wakes one idle worker, not all. */
	for (size_t i = 0; i < w->l->n; i++) {
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.fd = w->l->fd[i];
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->l->fd[i], &ev) == -1)
			fatal("epoll_ctl");
	}
	ev.events = EPOLLIN;
	ev.data.fd = w->sig.fd;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->sig.fd, &ev) == -1)
		fatal("epoll_ctl");
}

static void
serve(struct worker *w)
{
	struct epoll_event ev[LISTEN_FDS_MAX + 1];
	int n;

	while (more_requests(w)) {
		slot_idle(w->slot);
		setproctitle("worker idle");
		n = epoll_wait(w->epfd, ev, LISTEN_FDS_MAX + 1, -1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("epoll_wait");
		for (int i = 0; i < n && !w->sig.stopping; i++) {
			if (ev[i].data.fd == w->sig.fd)
				(void)wsignal_read(&w->sig);
			else
				accept_one(w, ev[i].data.fd);
		}
	}
	close(w->epfd);
}

static bool
more_requests(const struct worker *w)
{
	return !w->sig.stopping && (w->cf->max_requests == 0 ||
	    (long long)w->slot->requests < w->cf->max_requests);
}

static void
accept_one(struct worker *w, int lfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("accept");
			/* SIGTERM, read meanwhile, ends the loop above. */
			(void)wsignal_wait(&w->sig, -1, 0, now_ms() +
			    EMFILE_BACKOFF_MS);
		}
		return;
	}
	session_serve(&w->sc, fd, &ss);
}
