/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "progress.h"
#include "signals.h"

/* Most bytes per blocking write(2) to an output polled first (a tty):
 * poll says there is room, not how much, and signals wait meanwhile. */
#define WRITE_CHUNK	(64 * 1024)

/*
 * How stdout or stderr is written without ever changing its file status
 * flags, which rexec shares with other processes (a tty, a pipe):
 * RWF_NOWAIT where the kernel has it (pipes, sockets, /dev/null); else
 * a blocking write, right away for regular files, after a poll otherwise.
 */
enum sink_mode { SINK_NOWAIT, SINK_DIRECT, SINK_POLL };

struct sink {
	enum sink_mode	 mode;
	bool		 ready;		/* may write now, without a poll */
	struct outblk	*head;
	struct outblk	*tail;
};

static struct sink sinks[3] = {
	[1] = { .ready = true }, [2] = { .ready = true },
};
static size_t queued;

/*
 * The status line (output_status): drawn on stderr, a terminal, only
 * when nothing else waits; any output for the terminal first clears it,
 * stdout's waiting until the clearing is written, so no line ever lands
 * after the status text.
 */
static struct {
	char	 text[OUTPUT_STATUS_MAX];
	bool	 want;		/* a text to show */
	bool	 dirty;		/* changed since drawn */
	bool	 shown;		/* drawn (or queued to be) and not cleared */
	bool	 hold_out;	/* stdout waits for the clearing */
	bool	 out_tty;	/* stdout is a terminal too */
} status;

static void	 enqueue(struct outblk *);
static int	 queue_text(int fd, const char *, size_t,
		    void (*)(struct outblk *, int));
static void	 status_clear(void);
static void	 status_draw(void);
static void	 cleared(struct outblk *, int);
static bool	 sink_may_write(int fd);
static void	 write_head(struct sink *, int fd);
static ssize_t	 sink_write(struct sink *, int fd, const struct iovec *,
		    int cnt);
static bool	 advance(struct outblk *, size_t *);
static void	 pop(struct sink *, int err);
static void	 free_text(struct outblk *, int);

void
output_submit(struct outblk *b)
{
	if (status.shown && (b->fd == 2 || status.out_tty)) {
		status.hold_out = status.hold_out || b->fd == 1;
		status_clear();
	}
	enqueue(b);
}

static void
enqueue(struct outblk *b)
{
	struct sink *k = &sinks[b->fd];

	b->next = NULL;
	b->first = 0;
	if (k->tail != NULL)
		k->tail->next = b;
	else
		k->head = b;
	k->tail = b;
	queued++;
}

bool
output_has_room(void)
{
	return queued < OUTPUT_QUEUE_MAX;
}

int
output_text(int fd, const char *text, size_t len)
{
	return queue_text(fd, text, len, NULL);
}

/* done NULL: an ordinary block, else the status line's own (enqueued as
 * it is, done telling it). */
static int
queue_text(int fd, const char *text, size_t len,
    void (*done)(struct outblk *, int))
{
	struct outblk *b = malloc(sizeof(*b) + len);

	if (b == NULL)
		return -1;
	memcpy(b + 1, text, len);
	b->fd = fd;
	b->cnt = 1;
	b->iov[0] = (struct iovec){ .iov_base = b + 1, .iov_len = len };
	b->done = done != NULL ? done : free_text;
	if (done != NULL)
		enqueue(b);
	else
		output_submit(b);
	return 0;
}

void
output_status(const char *text)
{
	if (text == NULL) {
		status.want = false;
		if (status.shown)
			status_clear();
		return;
	}
	if (!status.want)
		status.out_tty = isatty(1);
	if (!status.want || strcmp(text, status.text) != 0) {
		snprintf(status.text, sizeof(status.text), "%s", text);
		status.dirty = true;
	}
	status.want = true;
}

/* Carriage return, erase to the end of the line: the line is empty. */
static void
status_clear(void)
{
	status.shown = false;
	status.dirty = true;
	if (queue_text(2, "\r\033[K", 4, cleared) == -1)
		status.hold_out = false;	/* a stray status, not a hang */
}

static void
cleared(struct outblk *b, int err)
{
	(void)err;
	status.hold_out = false;
	free(b);
}

/* Once all else is out: the text over the line, the rest erased. */
static void
status_draw(void)
{
	char line[OUTPUT_STATUS_MAX + 8];
	int n;

	if (!status.want || !status.dirty || sinks[1].head != NULL ||
	    sinks[2].head != NULL)
		return;
	n = snprintf(line, sizeof(line), "\r%s\033[K", status.text);
	if (n > 0 && queue_text(2, line, (size_t)n, free_text) == 0) {
		status.shown = true;
		status.dirty = false;
	}
}

/* Stdout waits while the status line is being cleared. */
static bool
sink_may_write(int fd)
{
	return sinks[fd].head != NULL && sinks[fd].ready &&
	    !(fd == 1 && status.hold_out);
}

static void
free_text(struct outblk *b, int err)
{
	(void)err;
	free(b);
}

bool
output_may_write(void)
{
	for (int fd = 1; fd <= 2; fd++)
		if (sink_may_write(fd))
			return true;
	return false;
}

bool
output_pump(void)
{
	bool any = false;

	status_draw();
	for (int fd = 1; fd <= 2; fd++)
		if (sink_may_write(fd)) {
			write_head(&sinks[fd], fd);
			any = true;
		}
	return any;
}

void
output_pollfds(struct pollfd pfd[2])
{
	for (int fd = 1; fd <= 2; fd++) {
		pfd[fd - 1] = (struct pollfd){ .fd = -1 };
		if (sinks[fd].head != NULL && !sinks[fd].ready &&
		    !(fd == 1 && status.hold_out))
			pfd[fd - 1] = (struct pollfd){ .fd = fd,
			    .events = POLLOUT };
	}
}

void
output_ready(const struct pollfd pfd[2])
{
	for (int fd = 1; fd <= 2; fd++)
		if (pfd[fd - 1].fd != -1 && pfd[fd - 1].revents != 0)
			sinks[fd].ready = true;
}

/* A stalled reader must not make rexec deaf: the wait takes signals too. */
void
output_flush(void)
{
	struct pollfd pfd[3];

	while (sinks[1].head != NULL || sinks[2].head != NULL) {
		if (output_pump())
			continue;
		output_pollfds(pfd);
		pfd[2] = (struct pollfd){ .fd = signals_fd(), .events = POLLIN };
		if (poll(pfd, 3, -1) == -1 && errno != EINTR)
			break;
		if (pfd[2].revents != 0)
			signals_end_now();
		output_ready(pfd);
	}
}

/*
 * The queued blocks, as many as one writev takes, in order: a block cut
 * short stays at the head, so nothing comes between its bytes.  A closed
 * stdout (EPIPE) or any other failure ends the head block.
 */
static void
write_head(struct sink *k, int fd)
{
	struct iovec iov[OUTPUT_IOV_MAX];
	int cnt = 0;
	ssize_t n;

	if (fd == 2)
		progress_clear();	/* a line of its own, not after it */
	for (struct outblk *b = k->head; b != NULL && cnt < OUTPUT_IOV_MAX;
	    b = b->next)
		for (int i = b->first; i < b->cnt && cnt < OUTPUT_IOV_MAX; i++)
			iov[cnt++] = b->iov[i];
	n = sink_write(k, fd, iov, cnt);
	if (n >= 0) {
		size_t left = (size_t)n;
		while (k->head != NULL && advance(k->head, &left))
			pop(k, 0);
	} else if (errno == EAGAIN) {
		k->ready = false;
	} else if (errno != EINTR) {
		pop(k, errno);
	}
}

static void
pop(struct sink *k, int err)
{
	struct outblk *b = k->head;

	if ((k->head = b->next) == NULL)
		k->tail = NULL;
	queued--;
	b->next = NULL;
	b->done(b, err);
}

/* Past what of *n written bytes is b's (taken off *n); true once b is
 * out. */
static bool
advance(struct outblk *b, size_t *n)
{
	while (b->first < b->cnt && *n >= b->iov[b->first].iov_len)
		*n -= b->iov[b->first++].iov_len;
	if (b->first == b->cnt)
		return true;
	b->iov[b->first].iov_base = (char *)b->iov[b->first].iov_base + *n;
	b->iov[b->first].iov_len -= *n;
	*n = 0;
	return false;
}

/* The kernel or the file type has no RWF_NOWAIT: a tty, a regular file
 * on most file systems, kernels before 4.14. */
static bool
nowait_unsupported(int err)
{
	return err == EOPNOTSUPP || err == EINVAL || err == ENOSYS;
}

static enum sink_mode
sink_fallback(int fd)
{
	struct stat st;

	/* A file never waits for a reader: no poll needed, no cap. */
	if (fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) ||
	    S_ISBLK(st.st_mode)))
		return SINK_DIRECT;
	return SINK_POLL;
}

/* writev(2) as the sink's mode allows; -1 with EAGAIN: poll first. */
static ssize_t
sink_write(struct sink *k, int fd, const struct iovec *iov, int cnt)
{
	struct iovec capped[OUTPUT_IOV_MAX];
	size_t total = 0;
	ssize_t n;
	int i;

	if (k->mode == SINK_NOWAIT) {
		n = pwritev2(fd, iov, cnt, -1, RWF_NOWAIT);
		if (n != -1 || !nowait_unsupported(errno))
			return n;
		k->mode = sink_fallback(fd);
		k->ready = k->mode == SINK_DIRECT;
		if (!k->ready) {
			errno = EAGAIN;
			return -1;
		}
	}
	if (k->mode == SINK_DIRECT)
		return writev(fd, iov, cnt);
	/* Polled: one capped blocking write per POLLOUT. */
	k->ready = false;
	for (i = 0; i < cnt && total < WRITE_CHUNK; i++) {
		capped[i] = iov[i];
		if (capped[i].iov_len > WRITE_CHUNK - total)
			capped[i].iov_len = WRITE_CHUNK - total;
		total += capped[i].iov_len;
	}
	return writev(fd, capped, i);
}
