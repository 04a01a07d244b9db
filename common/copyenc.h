/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy's options travel in the exec frame's "env", which JSON
 * holds as UTF-8 text; a path is any bytes.  So a path is sent
 * percent-encoded: every byte outside printable ASCII, and '%', as %XX.
 */
#ifndef REXEC_COPYENC_H
#define REXEC_COPYENC_H

#include <stddef.h>

/* The variables (rexec-protocol(7), THE COPY SUBSYSTEMS). */
#define COPY_ENV_DIR		"REXEC_COPY_DIR"
#define COPY_ENV_PRESERVE	"REXEC_COPY_PRESERVE"
#define COPY_ENV_SRC		"REXEC_COPY_SRC"	/* then 0, 1, ... */
#define COPY_SRC_MAX		1024

/* s encoded, malloc'd; NULL when out of memory. */
char	*copyenc_encode(const char *s);
/* s decoded in place; 0, or -1 when it is no such encoding (or a %00). */
int	 copyenc_decode(char *s);
/* The part of path its last component is, trailing '/'s dropped, in
 * name (len bytes); 0, or -1 when there is none (an empty path, "/",
 * ".", "..", or too long). */
int	 copyenc_name(const char *path, char *name, size_t len);

#endif
