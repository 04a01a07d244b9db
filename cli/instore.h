/* SPDX-License-Identifier: ISC */
/*
 * rexec's stdin, read once and offered to every host at its own offset.
 * While hosts wait for their turn (more hosts than the fanout) the input
 * is kept: in memory up to INSTORE_MEM_MAX, then in an unlinked file.
 */
#ifndef REXEC_CLI_INSTORE_H
#define REXEC_CLI_INSTORE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define INSTORE_MEM_MAX	(4 * 1024 * 1024)

/* Starts reading fd 0; keep_all: hosts not yet started will want it all. */
int	instore_init(bool keep_all);
void	instore_free(void);
/* Hosts not yet started remain, or not (then read input may go). */
void	instore_keep_all(bool);
/* Bytes read so far; whether stdin reached its end. */
unsigned long long instore_end(void);
bool	instore_eof(void);
/*
 * The bytes at offset off (off < instore_end()): a pointer into the
 * store, or into scratch (scratch_len bytes) when they are in the file.
 * Returns their count (at most max), 0 on a read error.
 */
size_t	instore_get(unsigned long long off, size_t max, const void **p,
	    unsigned char *scratch, size_t scratch_len);
/* Whether the input is in the file (then readers need scratch). */
bool	instore_spilled(void);
/* Every reader reached the end: what memory held may go (unless kept). */
void	instore_consumed(void);
/* Whether a read would not wait; else instore_pollfd asks for fd 0. */
bool	instore_may_read(void);
/* Reads one chunk; a failure ends the input (EOF for the readers). */
void	instore_read(void);
/* The user typed the disconnect escape (~.) on the local terminal. */
bool	instore_disconnect(void);
void	instore_pollfd(struct pollfd *);
void	instore_ready(const struct pollfd *);
/*
 * Input made here instead of read from fd 0 (fleet copy's stream): the
 * source fills buf and returns a count, 0 at its end, -1 on a failure,
 * which ends the input and instore_failed then tells.
 */
typedef ssize_t	(*instore_source_fn)(void *buf, size_t len, void *arg);
void	instore_set_source(instore_source_fn, void *arg);
bool	instore_failed(void);
/* The first command started: let the writer of a pipe run ahead. */
void	instore_started(void);

#endif
