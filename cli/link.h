/* SPDX-License-Identifier: ISC */
/*
 * One host's transport: reaching it (dialer.c), backing off after
 * "busy", the send queue (the request, control frames, the broadcast
 * stdin, its end) and the socket's readiness.  It knows frames only as
 * bytes to send; what the server's frames mean is conn.c's.
 */
#ifndef REXEC_CLI_LINK_H
#define REXEC_CLI_LINK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "dialer.h"
#include "frameio.h"

#define LINK_CTLQ_MAX	16

/* Where a connection stands with the broadcast stdin. */
enum conn_stdin { CONN_STDIN_NONE, CONN_STDIN_BEHIND, CONN_STDIN_AT_END };

enum link_out { LINK_OUT_NONE, LINK_OUT_CONTROL, LINK_OUT_STDIN,
	LINK_OUT_EOF };

struct link {
	struct dialer	 d;
	json_t		*request;	/* sent first on every connection */
	bool		 up;		/* connected, the request queued */
	bool		 backing_off;
	long long	 retry_at;
	int		 attempts;	/* after "busy" */
	bool		 rd;		/* the socket may hold bytes */
	bool		 wr;		/* it may take bytes */
	bool		 eof;
	json_t		*exec;		/* NULL once framed */
	json_t		*ctl[LINK_CTLQ_MAX];
	size_t		 nctl;
	struct frame_out out;
	enum link_out	 out_kind;
	bool		 peer_gone;	/* stop sending */
	bool		 in_open;
	unsigned long long in_off;
	size_t		 in_len;	/* in the frame out */
	unsigned char	*scratch;
	int		 stream;	/* -L: stdin from this socket, or -1 */
	bool		 srd;		/* it may hold bytes */
	char		 err[128];	/* why the last call failed */
};

/* Starts reaching name; request is kept (a reference taken). */
void	link_start(struct link *, const char *name, const char *port,
	    int family, int timeout_ms, json_t *request, bool stdin_open);
/* Stdin read from fd (not owned) instead of the broadcast, one frame
 * at a time: it is read only once the frame before it is sent. */
void	link_set_stream(struct link *, int fd);
/* Whether the stream is waited for (POLLIN), and that it is ready. */
bool	link_stream_wanted(const struct link *, bool started);
void	link_stream_ready(struct link *);
void	link_free(struct link *);
/* Closes the socket (the rest stays until link_free). */
void	link_close(struct link *);
/* Connected and not backing off. */
bool	link_up(const struct link *);
/* Dialing gave up: l->d.why says why. */
bool	link_failed(const struct link *);
/* want_read: the reader has room for what the socket holds. */
void	link_pollfd(const struct link *, struct pollfd *, long long *deadline,
	    bool want_read);
void	link_ready(struct link *, short revents);
void	link_tick(struct link *, long long now);
/* Whether a read would not wait for a poll. */
bool	link_readable(const struct link *);
/* read(2) of the socket: bytes, 0 at EOF, -1 (EAGAIN: poll first). */
ssize_t	link_read(struct link *, void *, size_t);
/* Sends what is queued while the socket takes it, stdin once started;
 * 0, or -1 with l->err set. */
int	link_send(struct link *, bool started);
/* Whether a send would move more without a poll. */
bool	link_writable(const struct link *);
/* Queues a control frame after those queued (steals hdr); 0 or -1. */
int	link_queue(struct link *, json_t *hdr);
/* Hangs up and tries again from the first address after wait_ms. */
void	link_backoff(struct link *, unsigned wait_ms);
/* The next close resets the connection (SO_LINGER 0). */
void	link_reset(struct link *);
enum conn_stdin link_stdin(const struct link *);
/* The server read nothing more: stop sending, stdin included. */
bool	link_peer_gone(const struct link *);

#endif
