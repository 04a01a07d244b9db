/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hostile_util.h"

int
ht_connect_from(const struct rexecd_proc *d, const char *src, bool block)
{
	struct sockaddr_in me = { .sin_family = AF_INET };
	struct sockaddr_in to = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)d->port) };
	int fd;

	if (inet_pton(AF_INET, src, &me.sin_addr) != 1 ||
	    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC |
	    (block ? 0 : SOCK_NONBLOCK), 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) == -1 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) == -1 &&
	    errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

bool
ht_wait_close(int fd, int timeout_ms, char *buf, size_t len)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t have = 0;
	char junk[4096];
	ssize_t n;

	buf[0] = '\0';
	while (now_ms() < deadline) {
		if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		n = read(fd, junk, sizeof(junk));
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return true;
		if (have + 1 < len) {
			size_t take = (size_t)n < len - 1 - have ?
			    (size_t)n : len - 1 - have;

			/* Frames hold NULs: kept searchable as text. */
			for (size_t i = 0; i < take; i++)
				buf[have + i] = junk[i] == '\0' ? '.' : junk[i];
			have += take;
			buf[have] = '\0';
		}
	}
	return false;
}

size_t
ht_count(const char *log, const char *needle)
{
	size_t n = 0;
	const char *line = log, *end;

	while (*line != '\0') {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		if (memmem(line, (size_t)(end - line), needle,
		    strlen(needle)) != NULL)
			n++;
		line = *end == '\0' ? end : end + 1;
	}
	return n;
}
