/*
 * What a token file holds, read alike by rexec and rexecd: so a file that
 * works for one works for the other.
 */
#ifndef REXEC_TOKENFILE_H
#define REXEC_TOKENFILE_H

#include <stddef.h>

/* Longest token, in bytes. */
#define TOKEN_MAX	4096

/*
 * Length of the token in a file's n bytes: trailing line ends (LF, CRLF)
 * are the editor's, not the token's.  Everything else is kept.
 */
size_t	token_trim(const char *buf, size_t n);

#endif
