/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "fdio.h"
#include "frameio.h"
#include "message.h"

static ssize_t	send_iov(int, struct iovec *, int);
static int	send_all(struct frame_out *, int);

ssize_t
decoder_read(struct decoder *d, int fd)
{
	size_t room;
	void *p = decoder_space(d, &room);
	ssize_t n;

	if (p == NULL) {
		errno = ENOMEM;
		return -1;
	}
	do
		n = read(fd, p, room);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		decoder_commit(d, (size_t)n);
	return n;
}

int
frame_out_send(struct frame_out *o, int fd)
{
	struct iovec iov[2];
	int cnt;

	while ((cnt = frame_out_iov(o, iov)) > 0) {
		ssize_t n = send_iov(fd, iov, cnt);

		if (n >= 0)
			frame_out_advance(o, (size_t)n);
		else if (errno == EAGAIN)
			return 0;
		else if (errno != EINTR)
			return -1;
	}
	return 1;
}

/* MSG_NOSIGNAL: a vanished peer is an error to report, not a death. */
static ssize_t
send_iov(int fd, struct iovec *iov, int iovcnt)
{
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
	ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);

	if (n == -1 && errno == ENOTSOCK)
		n = writev(fd, iov, iovcnt);
	return n;
}

int
frame_write_json(int fd, json_t *hdr, const void *payload, size_t len)
{
	struct frame_out o;

	if (frame_out_json(&o, hdr, payload, len) == -1)
		return -1;
	return send_all(&o, fd);
}

int
frame_write_data(int fd, enum frame_type type, const void *payload,
    size_t len)
{
	struct frame_out o;

	frame_out_data(&o, type, payload, len);
	return send_all(&o, fd);
}

static int
send_all(struct frame_out *o, int fd)
{
	int r;

	while ((r = frame_out_send(o, fd)) == 0)
		if (wait_fd(fd, POLLOUT) == -1)
			break;
	frame_out_release(o);
	return r == 1 ? 0 : -1;
}

int
msg_send(int fd, json_t *hdr)
{
	int r;

	if (hdr == NULL)
		return -1;
	r = frame_write_json(fd, hdr, NULL, 0);
	json_decref(hdr);
	return r;
}

int
msg_send_error(int fd, enum err_code code, const char *fmt, ...)
{
	char message[PROTO_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return msg_send(fd, msg_error(code, message));
}
