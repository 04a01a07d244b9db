/* SPDX-License-Identifier: ISC */
/*
 * Output held for -b and --json.  A host's output stays in memory up to
 * HOLD_HOST_MEM, and while all holds in memory stay under
 * HOLD_TOTAL_MEM; past either bound it moves to one unlinked temporary
 * file that every host shares (spill.c), so memory stays bounded
 * whatever the hosts print.  A running hash and the size make most
 * comparisons cheap; equal ones are then compared byte for byte.
 */
#ifndef REXEC_CLI_HOLD_H
#define REXEC_CLI_HOLD_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOLD_HOST_MEM	(1024 * 1024)
#define HOLD_TOTAL_MEM	(16 * 1024 * 1024)

/* A piece of one hold in the file. */
struct hold_extent {
	unsigned long long	 from;	/* offset in the hold */
	unsigned long long	 at;	/* offset in the file */
	size_t			 len;
};

struct hold {
	unsigned char		*buf;	/* all of it, until spilled */
	size_t			 cap;
	unsigned long long	 len;
	uint64_t		 hash;	/* of its whole 8-byte words */
	unsigned char		 tail[8];	/* the bytes after them */
	unsigned char		 last;	/* its last byte, when len > 0 */
	bool			 truncated;	/* set by the caller */
	bool			 spilled;
	struct hold_extent	*ext;
	size_t			 next;
	size_t			 extcap;
};

/* Appends n bytes; 0, or -1 with errno. */
int	hold_add(struct hold *, const void *, size_t n);
/* Up to n bytes from off into buf; the count (short only at the end),
 * or -1 with errno. */
ssize_t	hold_read(const struct hold *, unsigned long long off, void *buf,
	    size_t n);
/* Whether both hold the same bytes. */
bool	hold_same(const struct hold *, const struct hold *);
/* Its memory given back (and its room in the file). */
void	hold_free(struct hold *);
/* No hold is left: the file is closed. */
void	hold_end(void);

#endif
