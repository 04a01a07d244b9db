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
	/* Data sent and never acknowledged: keepalive alone would wait
	 * for the retransmissions (about 15 minutes). */
	unsigned int user_ms = (unsigned int)seconds * 1000;

	if (seconds <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 },
	    sizeof(int)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle,
	    sizeof(idle)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl,
	    sizeof(intvl)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt,
	    sizeof(cnt)) == -1 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_ms,
	    sizeof(user_ms)) == -1)
		log_warn("%s: keepalive", peer);
}

static int
at_least_1(int n)
{
	return n > 0 ? n : 1;
}
