/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "clock.h"
#include "dial.h"
#include "dialer.h"
#include "fail.h"
#include "resolver.h"

static int	wait_dialer(struct dialer *);

int
dial(const char *host, const char *port, int family, int timeout_ms)
{
	struct dialer d;
	int fd = -1;

	dialer_start(&d, host, port, family, timeout_ms);
	if (wait_dialer(&d) == 0 && d.state == DIAL_UP) {
		fd = d.sock;
		d.sock = -1;
	} else if (d.state == DIAL_FAILED) {
		report("%s", d.why);
	}
	dialer_free(&d);
	resolver_end();
	return fd;
}

/* The engine's loop made small: until d is up or has failed. */
static int
wait_dialer(struct dialer *d)
{
	struct pollfd pfd[1 + RESOLVER_SOCKS];

	while (d->state == DIAL_RESOLVING || d->state == DIAL_CONNECTING) {
		long long deadline = 0;
		dialer_pollfd(d, &pfd[0], &deadline);
		resolver_pollfds(&pfd[1], &deadline);
		if (poll(pfd, 1 + RESOLVER_SOCKS, deadline_timeout(deadline,
		    now_ms())) == -1 && errno != EINTR) {
			report("poll: %s", strerror(errno));
			return -1;
		}
		resolver_ready(&pfd[1]);
		if (pfd[0].fd != -1 && pfd[0].revents != 0)
			dialer_ready(d);
		dialer_tick(d, now_ms());
	}
	return 0;
}
