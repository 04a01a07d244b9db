/* SPDX-License-Identifier: ISC */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "instore.h"
#include "spill.h"
#include "terminal.h"

/* Pipe size asked for stdin: reads of a whole FRAME_DATA_CHUNK when the
 * writer is ahead (the default 64 KiB makes 4 frames of each chunk). */
#define STDIN_PIPE_SIZE		(1024 * 1024)

static struct {
	bool			 keep_all;
	bool			 eof;
	bool			 disconnect;	/* ~. typed */
	bool			 failed;	/* the source's failure */
	instore_source_fn	 source;	/* or NULL: fd 0 */
	void			*source_arg;
	bool			 nowait;	/* RWF_NOWAIT reads work */
	bool			 polled;	/* poll said readable */
	bool			 wait;		/* looked empty: poll first */
	unsigned char		*mem;		/* [base, base + len) */
	size_t			 cap;
	size_t			 len;
	unsigned long long	 base;
	int			 spill;		/* file of [0, end), or -1 */
	unsigned long long	 end;
} in = { .spill = -1 };

static int	 reserve(void);
static int	 to_file(void);
static void	 append(ssize_t n);
static void	 read_source(unsigned char *, size_t);

int
instore_init(bool keep_all)
{
	in.keep_all = keep_all;
	in.nowait = true;
	in.cap = FRAME_DATA_CHUNK;
	if ((in.mem = malloc(in.cap)) == NULL)
		return -1;
	return 0;
}

void
instore_free(void)
{
	free(in.mem);
	if (in.spill != -1)
		close(in.spill);
	in.mem = NULL;
	in.spill = -1;
}

void
instore_keep_all(bool keep)
{
	in.keep_all = keep;
}

unsigned long long
instore_end(void)
{
	return in.end;
}

bool
instore_eof(void)
{
	return in.eof;
}

bool
instore_spilled(void)
{
	return in.spill != -1;
}

size_t
instore_get(unsigned long long off, size_t max, const void **p,
    unsigned char *scratch, size_t scratch_len)
{
	size_t n = in.end - off < max ? (size_t)(in.end - off) : max;
	ssize_t got;

	if (in.spill == -1) {
		*p = in.mem + (off - in.base);
		return n;
	}
	if (n > scratch_len)
		n = scratch_len;
	got = spill_read(in.spill, scratch, n, (off_t)off);
	*p = scratch;
	return got > 0 ? (size_t)got : 0;
}

/* Nothing is in flight when every reader is at the end: reset. */
void
instore_consumed(void)
{
	if (in.keep_all)
		return;
	if (in.spill != -1) {
		close(in.spill);
		in.spill = -1;
	}
	in.base = in.end;
	in.len = 0;
}

bool
instore_may_read(void)
{
	return !in.eof && (in.polled || (in.nowait && !in.wait));
}

void
instore_pollfd(struct pollfd *pfd)
{
	*pfd = (struct pollfd){ .fd = -1 };
	if (!in.eof && !instore_may_read())
		*pfd = (struct pollfd){ .fd = 0, .events = POLLIN };
}

void
instore_ready(const struct pollfd *pfd)
{
	if (pfd->fd != -1 && pfd->revents != 0) {
		in.polled = true;
		in.wait = false;
	}
}

/*
 * Without RWF_NOWAIT (a tty) stdin is read only when poll says so: its
 * O_NONBLOCK flag is shared with other processes and stays as it is.
 * After a poll a plain read is right: a file that RWF_NOWAIT finds
 * uncached is then read from disk.  A short read emptied the pipe.
 */
void
instore_read(void)
{
	struct iovec iov;
	ssize_t n;

	if (reserve() == -1) {
		in.eof = true;
		return;
	}
	/* Room left for a ~ the terminal's escapes held back. */
	iov = (struct iovec){ .iov_base = in.mem + in.len,
	    .iov_len = FRAME_DATA_CHUNK - term_read_reserve() };
	if (in.source != NULL) {
		read_source(iov.iov_base, iov.iov_len);
		return;
	}
	if (in.polled) {
		in.polled = false;
		n = read(0, iov.iov_base, iov.iov_len);
	} else if ((n = preadv2(0, &iov, 1, -1, RWF_NOWAIT)) == -1 &&
	    (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS)) {
		in.nowait = false;
		return;
	}
	if (n > 0) {
		size_t got = (size_t)n;

		in.wait = got < iov.iov_len;
		if (term_filter(iov.iov_base, &got, FRAME_DATA_CHUNK) ==
		    TERM_DISCONNECT)
			in.disconnect = true;
		append((ssize_t)got);
	} else if (n == -1 && errno == EAGAIN) {
		in.wait = true;
	} else if (n == 0 || errno != EINTR) {
		in.eof = true;
	}
}

/* Room for a chunk at mem + len: memory grows up to the bound, then
 * what it holds moves to the file and the chunk is staged there. */
static int
reserve(void)
{
	unsigned char *p;
	size_t cap;

	if (in.spill != -1)
		in.len = 0;
	if (in.cap - in.len >= FRAME_DATA_CHUNK)
		return 0;
	if (in.len + FRAME_DATA_CHUNK > INSTORE_MEM_MAX) {
		if (to_file() == -1)
			return -1;
		in.len = 0;
		return 0;
	}
	cap = in.cap * 2;
	if ((p = realloc(in.mem, cap)) == NULL)
		return -1;
	in.mem = p;
	in.cap = cap;
	return 0;
}

static int
to_file(void)
{
	if ((in.spill = spill_open()) == -1)
		return -1;
	if (spill_write(in.spill, in.mem, in.len, (off_t)in.base) == -1) {
		close(in.spill);
		in.spill = -1;
		return -1;
	}
	return 0;
}

/* n bytes arrived at mem + len: in memory they stay, to the file they go. */
static void
append(ssize_t n)
{
	if (in.spill != -1) {
		if (spill_write(in.spill, in.mem, (size_t)n,
		    (off_t)in.end) == -1) {
			in.eof = true;	/* the input is cut short */
			return;
		}
		in.end += (unsigned long long)n;
		return;
	}
	in.len += (size_t)n;
	in.end += (unsigned long long)n;
}

void
instore_set_source(instore_source_fn fn, void *arg)
{
	in.source = fn;
	in.source_arg = arg;
}

bool
instore_failed(void)
{
	return in.failed;
}

/* A whole chunk when the source has it: one frame, not one per piece. */
static void
read_source(unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n = 0;

	while (got < len &&
	    (n = in.source(buf + got, len - got, in.source_arg)) > 0)
		got += (size_t)n;
	if (got > 0)
		append((ssize_t)got);
	if (n <= 0) {
		in.eof = true;
		in.failed = n < 0;
	}
}

void
instore_started(void)
{
	int size = fcntl(0, F_GETPIPE_SZ);

	/* Enlarging only lets the writer run further ahead; a refusal
	 * (over the user's pipe quota) changes nothing. */
	if (size != -1 && size < STDIN_PIPE_SIZE)
		(void)fcntl(0, F_SETPIPE_SZ, STDIN_PIPE_SIZE);
}

bool
instore_disconnect(void)
{
	return in.disconnect;
}
