/* SPDX-License-Identifier: ISC */
/*
 * Token files, read alike by rexec and rexecd: a file one accepts, the
 * other accepts too.
 */
#ifndef REXEC_TOKENFILE_H
#define REXEC_TOKENFILE_H

#include <sys/types.h>

#include <stddef.h>

/* Longest token, in bytes. */
#define TOKEN_MAX	4096

/*
 * Reads the token in path into tok (TOKEN_MAX + 1 bytes, NUL-terminated)
 * and returns its length.  The file must be a regular file, no symlink,
 * owned by the effective uid and closed to group and others (a secret
 * others can read is no secret); trailing line ends (LF, CRLF) are the
 * editor's, not the token's; empty or holding a NUL byte is refused.
 * Returns -1 with the reason (without the path) in err.
 */
ssize_t	token_file_read(const char *path, char *tok, char *err,
	    size_t errlen);

#endif
