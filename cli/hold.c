/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "spill.h"

#define HASH_INIT	0xcbf29ce484222325ULL
#define HASH_MUL	0x9e3779b97f4a7c15ULL
/* Compared this much at a time once both are in the file. */
#define CMP_CHUNK	(64 * 1024)

static int			 spill_fd = -1;
static unsigned long long	 spill_end;
static size_t			 in_memory;	/* every hold's buf */

static int	 keep(struct hold *, const void *, size_t);
static int	 to_file(struct hold *);
static int	 file_add(struct hold *, const void *, size_t);
static int	 add_extent(struct hold *, unsigned long long at, size_t n);
static ssize_t	 file_read(const struct hold *, unsigned long long off,
		    void *, size_t);
static void	 hash_add(struct hold *, const unsigned char *, size_t);
static uint64_t	 mix(uint64_t, const unsigned char *);

int
hold_add(struct hold *k, const void *p, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	if (k->len == 0)
		k->hash = HASH_INIT;
	if (!k->spilled && (k->len + n > HOLD_HOST_MEM ||
	    in_memory - k->cap + k->len + n > HOLD_TOTAL_MEM) &&
	    to_file(k) == -1)
		return -1;
	r = k->spilled ? file_add(k, p, n) : keep(k, p, n);
	if (r == -1)
		return -1;
	hash_add(k, p, n);
	k->len += n;
	k->last = ((const unsigned char *)p)[n - 1];
	return 0;
}

/* In memory: the buffer doubles, up to the bound. */
static int
keep(struct hold *k, const void *p, size_t n)
{
	size_t cap = k->cap ? k->cap : 4096;
	unsigned char *b;

	while (cap < k->len + n)
		cap *= 2;
	if (cap > HOLD_HOST_MEM)
		cap = HOLD_HOST_MEM;
	if (cap != k->cap) {
		if ((b = realloc(k->buf, cap)) == NULL)
			return -1;
		in_memory += cap - k->cap;
		k->buf = b;
		k->cap = cap;
	}
	memcpy(k->buf + k->len, p, n);
	return 0;
}

/* What memory held goes to the file; the rest will follow it there. */
static int
to_file(struct hold *k)
{
	if (spill_fd == -1 && (spill_fd = spill_open()) == -1)
		return -1;
	k->spilled = true;
	if (k->len > 0 && file_add(k, k->buf, (size_t)k->len) == -1) {
		k->spilled = false;
		return -1;
	}
	in_memory -= k->cap;
	free(k->buf);
	k->buf = NULL;
	k->cap = 0;
	return 0;
}

static int
file_add(struct hold *k, const void *p, size_t n)
{
	unsigned long long at = spill_end;

	if (spill_write(spill_fd, p, n, (off_t)at) == -1)
		return -1;
	spill_end += n;
	return add_extent(k, at, n);
}

/* Right after its last piece (no other host wrote between): one piece. */
static int
add_extent(struct hold *k, unsigned long long at, size_t n)
{
	struct hold_extent *e = k->next ? &k->ext[k->next - 1] : NULL;
	unsigned long long from = e != NULL ? e->from + e->len : 0;

	if (e != NULL && e->at + e->len == at && e->len <= SIZE_MAX - n) {
		e->len += n;
		return 0;
	}
	if (k->next == k->extcap) {
		size_t cap = k->extcap ? k->extcap * 2 : 16;
		if ((e = realloc(k->ext, cap * sizeof(*e))) == NULL)
			return -1;
		k->ext = e;
		k->extcap = cap;
	}
	k->ext[k->next++] = (struct hold_extent){ .from = from, .at = at,
	    .len = n };
	return 0;
}

ssize_t
hold_read(const struct hold *k, unsigned long long off, void *buf, size_t n)
{
	if (off >= k->len)
		return 0;
	if (n > k->len - off)
		n = (size_t)(k->len - off);
	if (k->spilled)
		return file_read(k, off, buf, n);
	memcpy(buf, k->buf + off, n);
	return (ssize_t)n;
}

/* The pieces holding [off, off + n), found by bisection. */
static ssize_t
file_read(const struct hold *k, unsigned long long off, void *buf, size_t n)
{
	size_t lo = 0, hi = k->next, done = 0;
	ssize_t got;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (k->ext[mid].from <= off)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = lo; i < k->next && done < n; i++) {
		const struct hold_extent *e = &k->ext[i];
		unsigned long long skip = off + done - e->from;
		size_t want = e->len - skip < n - done ?
		    (size_t)(e->len - skip) : n - done;

		if ((got = spill_read(spill_fd, (char *)buf + done, want,
		    (off_t)(e->at + skip))) == -1)
			return -1;
		if ((size_t)got != want) {
			errno = EIO;	/* the file was cut short */
			return -1;
		}
		done += want;
	}
	return (ssize_t)done;
}

bool
hold_same(const struct hold *a, const struct hold *b)
{
	static unsigned char ba[CMP_CHUNK], bb[CMP_CHUNK];
	ssize_t na, nb;

	if (a->len != b->len || (a->len > 0 && (a->hash != b->hash ||
	    memcmp(a->tail, b->tail, (size_t)(a->len % 8)) != 0)))
		return false;
	if (!a->spilled && !b->spilled)
		return a->len == 0 || memcmp(a->buf, b->buf, a->len) == 0;
	for (unsigned long long off = 0; off < a->len; off += (size_t)na) {
		na = hold_read(a, off, ba, sizeof(ba));
		nb = hold_read(b, off, bb, sizeof(bb));
		if (na <= 0 || na != nb || memcmp(ba, bb, (size_t)na) != 0)
			return false;
	}
	return true;
}

void
hold_free(struct hold *k)
{
	/* Room given back, so a long --json run does not fill the disk. */
	for (size_t i = 0; spill_fd != -1 && i < k->next; i++)
		(void)fallocate(spill_fd, FALLOC_FL_PUNCH_HOLE |
		    FALLOC_FL_KEEP_SIZE, (off_t)k->ext[i].at,
		    (off_t)k->ext[i].len);
	in_memory -= k->cap;
	free(k->buf);
	free(k->ext);
	memset(k, 0, sizeof(*k));
}

void
hold_end(void)
{
	if (spill_fd != -1)
		close(spill_fd);
	spill_fd = -1;
	spill_end = 0;
}

/* Word by word, however the output was cut into pieces: the bytes past
 * the last whole word wait in tail (k->len % 8 of them). */
static void
hash_add(struct hold *k, const unsigned char *p, size_t n)
{
	size_t have = (size_t)(k->len % 8), take;

	if (have > 0) {
		take = 8 - have < n ? 8 - have : n;
		memcpy(k->tail + have, p, take);
		p += take;
		n -= take;
		if (have + take < 8)
			return;
		k->hash = mix(k->hash, k->tail);
	}
	for (; n >= 8; p += 8, n -= 8)
		k->hash = mix(k->hash, p);
	memcpy(k->tail, p, n);
}

static uint64_t
mix(uint64_t h, const unsigned char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	h = (h ^ w) * HASH_MUL;
	return h ^ h >> 29;
}
