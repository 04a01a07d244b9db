/* SPDX-License-Identifier: ISC */
/*
 * Output cut into whole lines, each under a prefix ("HOST: " or none):
 * one partial line per stream, bounded; a longer line goes out in
 * pieces, each with its prefix and a newline.  Lines are gathered into
 * one block for one descriptor at a time.  For a terminal, lines are
 * made safe: no host's escape or carriage return rewrites another's line.
 */
#ifndef REXEC_CLI_LINES_H
#define REXEC_CLI_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include "textsafe.h"

/* The longest piece of a line written under one prefix. */
#define LINES_PIECE_MAX	(8 * 1024)
#define LINES_PREFIX_MAX	1200
/* The block; room for a piece under the longest prefix, escaped. */
#define LINES_BLOCK_MAX	(LINES_PREFIX_MAX + TEXTSAFE_SIZE(LINES_PIECE_MAX))

struct lines {
	char	 prefix[LINES_PREFIX_MAX];
	size_t	 plen;
	char	*part[3];	/* by fd: [1] stdout, [2] stderr */
	size_t	 partlen[3];
	char	*block;		/* complete lines for block_fd */
	size_t	 blocklen;
	int	 block_fd;
	bool	 oom;
	bool	 safe[3];	/* by fd: lines made safe for a terminal */
	int	 safe_flags;
};

void	lines_init(struct lines *, const char *prefix);
void	lines_free(struct lines *);
/* fd's lines go out made safe (text_safe with flags), each newline kept. */
void	lines_make_safe(struct lines *, int fd, int flags);
/*
 * Takes bytes of fd's stream; returns how many it took: fewer when the
 * block is full or holds the other stream's lines (write it, then call
 * again), 0 also when out of memory (lines_oom says so).
 */
size_t	lines_take(struct lines *, int fd, const unsigned char *, size_t);
/* Ends fd's partial line with a newline; false: write the block first. */
bool	lines_close(struct lines *, int fd);
bool	lines_partial(const struct lines *, int fd);
bool	lines_oom(const struct lines *);
/* The block was written: it is freed, the next one starts empty. */
void	lines_written(struct lines *);

#endif
