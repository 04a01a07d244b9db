/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "keepalive.h"
#include "log.h"

/* Probes start after half the time, then come every eighth of it. */
#define IDLE_PART	2
#define INTVL_PART	8

static int	at_least_1(int);

void
keepalive_set(int fd, int seconds, const char *peer)
{
	int idle = at_least_1(seconds / IDLE_PART);
	int intvl = at_least_1(seconds / INTVL_PART);
	int cnt = at_least_1((seconds - idle + intvl - 1) / intvl);

	if (seconds <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 },
	    sizeof(int)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt,
	    sizeof(cnt)) == -1)
		log_warn("%s: keepalive", peer);
}

/*
 * Not TCP_USER_TIMEOUT: Linux applies it to a closed receive window too,
 * and a client that is there but reads nothing (a pager left open, a
 * suspended rexec) must keep its command, as with ssh.  A peer that
 * acknowledges nothing is retransmitted to, or probed in vain; one that
 * only keeps its window shut answers the probes.
 */
bool
keepalive_peer_gone(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return false;
	/* Both count only what went unanswered: an ACK resets them. */
	return (ti.tcpi_retransmits >= 2 && ti.tcpi_unacked > 0) ||
	    ti.tcpi_probes >= 2;
}

static int
at_least_1(int n)
{
	return n > 0 ? n : 1;
}
