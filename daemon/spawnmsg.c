/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "spawnmsg.h"

int
spawnmsg_send(int sock, const struct spawn_msg *m, const char *text,
    const int *fds, int nfd)
{
	union {
		char		buf[CMSG_SPACE(sizeof(int) * SPAWN_FDS_MAX)];
		struct cmsghdr	align;
	} cm;
	struct spawn_msg h = *m;
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)(uintptr_t)text, text != NULL ? strlen(text) : 0 },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *c;
	ssize_t n;

	if (iov[1].iov_len > SPAWN_TEXT_MAX || nfd < 0 ||
	    nfd > SPAWN_FDS_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	h.len = (uint32_t)iov[1].iov_len;
	if (nfd > 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfd);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfd);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfd);
	}
	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	/* SOCK_SEQPACKET sends a message whole or not at all. */
	return 0;
}

static void
take_fds(struct msghdr *msg, struct spawn_in *in, int *bad)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL;
	    c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			if (in->nfd < SPAWN_FDS_MAX)
				in->fd[in->nfd++] = fd;
			else {
				(void)close(fd);
				*bad = 1;
			}
		}
	}
}

int
spawnmsg_recv(int sock, struct spawn_in *in)
{
	union {
		char		buf[CMSG_SPACE(sizeof(int) * SPAWN_FDS_MAX)];
		struct cmsghdr	align;
	} cm;
	struct iovec iov[2] = {
		{ &in->m, sizeof(in->m) },
		{ in->text, SPAWN_TEXT_MAX },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2,
	    .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf) };
	ssize_t n;
	int bad = 0;

	in->nfd = 0;
	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return (int)n;
	take_fds(&msg, in, &bad);
	if (bad || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(in->m) ||
	    in->m.len != (size_t)n - sizeof(in->m) ||
	    in->m.type == 0 || in->m.type >= SM_TYPE_MAX) {
		spawnmsg_close_fds(in);
		errno = EBADMSG;
		return -1;
	}
	in->text[in->m.len] = '\0';
	return 1;
}

void
spawnmsg_close_fds(struct spawn_in *in)
{
	for (int i = 0; i < in->nfd; i++)
		(void)close(in->fd[i]);
	in->nfd = 0;
}
