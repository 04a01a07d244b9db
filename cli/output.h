/* SPDX-License-Identifier: ISC */
/*
 * rexec's stdout and stderr, shared by every connection: one writer per
 * descriptor, blocks queued in order.  A block is written whole before
 * the next one starts, so lines of different hosts never mix; writes
 * never wait (RWF_NOWAIT, or after poll), so a slow reader stalls the
 * blocks' owners (back-pressure), not the loop.
 */
#ifndef REXEC_CLI_OUTPUT_H
#define REXEC_CLI_OUTPUT_H

#include <sys/uio.h>

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

/* Payloads per block: a 256 KiB read of the server's 8 KiB frames. */
#define OUTPUT_IOV_MAX	64

struct outblk {
	struct outblk	*next;
	int		 fd;		/* 1 or 2 */
	struct iovec	 iov[OUTPUT_IOV_MAX];
	int		 cnt;
	int		 first;		/* first iovec not wholly written */
	/* Called once: err 0 when written, else the errno that stopped it. */
	void		(*done)(struct outblk *, int err);
	void		*arg;
};

/* Blocks queued on both descriptors beyond which output_has_room says
 * no: what waits for a slow stdout stays bounded, however many hosts. */
#define OUTPUT_QUEUE_MAX	64

/* Queues b (its iovecs filled) behind the blocks before it on b->fd. */
void	output_submit(struct outblk *);
/* Queues a copy of text; 0, or -1 when out of memory. */
int	output_text(int fd, const char *text, size_t len);
/* Whether a connection may read more output from its socket. */
bool	output_has_room(void);
/* One write try on each descriptor that may take one; true if any did. */
bool	output_pump(void);
/* Whether output_pump would try something now. */
bool	output_may_write(void);
/* pfd[0], pfd[1]: POLLOUT on stdout, stderr when a write must wait. */
void	output_pollfds(struct pollfd pfd[2]);
void	output_ready(const struct pollfd pfd[2]);
/* A status line's longest text. */
#define OUTPUT_STATUS_MAX	160
/* Shows text as a status line on stderr (the caller knows it is a
 * terminal), below all other output; NULL clears it for good. */
void	output_status(const char *text);
/* Writes everything queued, waiting as long as it takes (at the end,
 * every command ended): a signal that ends rexec ends the wait. */
void	output_flush(void);

#endif
