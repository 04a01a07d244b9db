/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy's stream out: local files, directories (recursively) and
 * symlinks as a tar (pax) stream, each source under its last component.
 * Pulled a piece at a time, so whoever sends it sets the pace: what is
 * held is one piece, never a file.
 */
#ifndef REXEC_ARCHIVE_PACK_H
#define REXEC_ARCHIVE_PACK_H

#include <sys/types.h>

#include <stddef.h>

struct pack;

/* Each of srcs must exist; NULL with the reason in err otherwise. */
struct pack	*pack_new(char *const *srcs, size_t n, char *err,
		    size_t errlen);
/* Up to len bytes of the stream: their count, 0 at its end, -1 on an
 * error (pack_error says which file and why). */
ssize_t		 pack_fill(struct pack *, void *buf, size_t len);
const char	*pack_error(const struct pack *);
/* Bytes of file contents read from disk so far. */
unsigned long long pack_read_bytes(const struct pack *);
void		 pack_free(struct pack *);

#endif
