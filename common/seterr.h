/* SPDX-License-Identifier: ISC */
/* An error message into a caller's buffer, for parsers that report one
 * line and let the caller decide where it goes. */
#ifndef REXEC_SETERR_H
#define REXEC_SETERR_H

#include <stddef.h>

/* fmt formatted into err (len bytes, cut short if need be); returns -1. */
int	seterr(char *err, size_t len, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
