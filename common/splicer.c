#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>

#include "splicer.h"

size_t
pipe_readable(int fd)
{
	int n;

	if (ioctl(fd, FIONREAD, &n) == -1 || n < 0)
		return 0;
	return (size_t)n;
}

void
frame_splice_start(struct frame_splice *f, enum frame_type type, int pipe_fd,
    size_t len)
{
	f->head_len = frame_data_head(f->head, sizeof(f->head), type, len);
	f->head_sent = 0;
	f->from = pipe_fd;
	f->left = len;
}

static int
send_head(struct frame_splice *f, int sock)
{
	while (f->head_sent < f->head_len) {
		ssize_t n = send(sock, f->head + f->head_sent,
		    f->head_len - f->head_sent, MSG_NOSIGNAL | MSG_MORE);

		if (n >= 0)
			f->head_sent += (size_t)n;
		else if (errno == EAGAIN)
			return 0;
		else if (errno != EINTR)
			return -1;
	}
	return 1;
}

int
frame_splice_send(struct frame_splice *f, int sock)
{
	int r = send_head(f, sock);

	if (r != 1)
		return r;
	while (f->left > 0) {
		ssize_t n = splice(f->from, NULL, sock, NULL, f->left,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

		if (n > 0)
			f->left -= (size_t)n;
		else if (n == 0) {
			/* The bytes FIONREAD promised are gone: cannot be. */
			errno = EIO;
			return -1;
		} else if (errno == EAGAIN)
			return 0;
		else if (errno != EINTR)
			return -1;
	}
	return 1;
}

bool
frame_splice_started(const struct frame_splice *f)
{
	return f->head_sent > 0;
}
