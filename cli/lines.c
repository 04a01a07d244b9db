/* SPDX-License-Identifier: ISC */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"

static bool	 room_for_piece(struct lines *, int fd);
static void	 emit(struct lines *, int fd, const unsigned char *, size_t,
		    bool newline);
static char	*emit_safe(struct lines *, int fd, char *b,
		    const unsigned char *, size_t, bool *newline);

void
lines_init(struct lines *l, const char *prefix)
{
	memset(l, 0, sizeof(*l));
	l->plen = strlen(prefix) < sizeof(l->prefix) ? strlen(prefix) :
	    sizeof(l->prefix) - 1;
	memcpy(l->prefix, prefix, l->plen);
	l->block_fd = -1;
}

void
lines_free(struct lines *l)
{
	free(l->part[1]);
	free(l->part[2]);
	free(l->block);
	l->part[1] = l->part[2] = l->block = NULL;
}

void
lines_make_safe(struct lines *l, int fd, int flags)
{
	l->safe[fd] = true;
	l->safe_flags = flags;
}

bool
lines_oom(const struct lines *l)
{
	return l->oom;
}

bool
lines_partial(const struct lines *l, int fd)
{
	return l->partlen[fd] > 0;
}

/* Freed once written: with hundreds of hosts, only those whose output
 * waits for the writer hold a block. */
void
lines_written(struct lines *l)
{
	free(l->block);
	l->block = NULL;
	l->blocklen = 0;
	l->block_fd = -1;
}

/* The block may take one more piece for fd (allocated on first use). */
static bool
room_for_piece(struct lines *l, int fd)
{
	if (l->block == NULL && (l->block = malloc(LINES_BLOCK_MAX)) == NULL) {
		l->oom = true;
		return false;
	}
	if (l->blocklen > 0 && l->block_fd != fd)
		return false;
	return LINES_BLOCK_MAX - l->blocklen >= l->plen + (l->safe[fd] ?
	    TEXTSAFE_SIZE(LINES_PIECE_MAX) : LINES_PIECE_MAX + 1);
}

size_t
lines_take(struct lines *l, int fd, const unsigned char *p, size_t n)
{
	size_t took = 0;

	while (took < n && room_for_piece(l, fd)) {
		const unsigned char *s = p + took, *nl;
		size_t room = LINES_PIECE_MAX - l->partlen[fd];
		size_t want = n - took < room ? n - took : room;

		if ((nl = memchr(s, '\n', want)) != NULL) {
			want = (size_t)(nl - s) + 1;
			emit(l, fd, s, want, false);
		} else if (want == room) {
			emit(l, fd, s, want, true);
		} else if (l->part[fd] == NULL &&
		    (l->part[fd] = malloc(LINES_PIECE_MAX)) == NULL) {
			l->oom = true;
			break;
		} else {
			memcpy(l->part[fd] + l->partlen[fd], s, want);
			l->partlen[fd] += want;
		}
		took += want;
	}
	return took;
}

bool
lines_close(struct lines *l, int fd)
{
	if (l->partlen[fd] == 0)
		return true;
	if (!room_for_piece(l, fd))
		return false;
	emit(l, fd, NULL, 0, true);
	return true;
}

/* prefix, the partial line, then s: one line (or piece) in the block. */
static void
emit(struct lines *l, int fd, const unsigned char *s, size_t n,
    bool newline)
{
	char *b = l->block + l->blocklen;

	memcpy(b, l->prefix, l->plen);
	b += l->plen;
	if (l->safe[fd]) {
		b = emit_safe(l, fd, b, s, n, &newline);
	} else {
		if (l->partlen[fd] > 0)
			memcpy(b, l->part[fd], l->partlen[fd]);
		b += l->partlen[fd];
		if (n > 0)
			memcpy(b, s, n);
		b += n;
	}
	if (newline)
		*b++ = '\n';
	l->blocklen = (size_t)(b - l->block);
	l->block_fd = fd;
	l->partlen[fd] = 0;
}

/* The partial line and s escaped at b, in one go (a character split
 * between them stays whole); the line's own newline is kept raw. */
static char *
emit_safe(struct lines *l, int fd, char *b, const unsigned char *s, size_t n,
    bool *newline)
{
	const unsigned char *src = s;
	size_t len = n;

	if (l->partlen[fd] > 0) {
		/* The part has room: a piece is at most LINES_PIECE_MAX. */
		if (n > 0)
			memcpy(l->part[fd] + l->partlen[fd], s, n);
		src = (const unsigned char *)l->part[fd];
		len = l->partlen[fd] + n;
	}
	if (len > 0 && src[len - 1] == '\n') {
		len--;
		*newline = true;
	}
	text_safe(b, TEXTSAFE_SIZE(len), src, len, l->safe_flags);
	return b + strlen(b);
}
