/* SPDX-License-Identifier: ISC */
/*
 * Foreign text (anything a client, a peer or a command sent) made safe
 * to print or log: every control character (C0, DEL, C1), every byte
 * that is not valid text and the backslash itself are escaped as vis(3)
 * does (VIS_CSTYLE | VIS_OCTAL), so one logged line can never pass for
 * two and no terminal escape reaches a terminal.  This is the one
 * function for it, in both programs.
 */
#ifndef REXEC_TEXTSAFE_H
#define REXEC_TEXTSAFE_H

#include <stddef.h>

/* Room for n bytes of source escaped, with the NUL. */
#define TEXTSAFE_SIZE(n)	((n) * 4 + 4)

/* Keep well-formed printable UTF-8 (U+00A0 and above) as it is; without
 * it every byte above 0x7e is escaped, as in logs. */
#define TEXT_UTF8	0x1
/* Keep TAB as it is (a terminal shows it as blanks), for command output. */
#define TEXT_TAB	0x2

/*
 * Writes src (srclen bytes, NULs included) escaped into dst, always
 * NUL-terminated when dstlen > 0; text that does not fit is cut at a
 * whole character and ends with "...".  Returns dst.
 */
char	*text_safe(char *dst, size_t dstlen, const void *src, size_t srclen,
	    int flags);
/* The same for a NUL-terminated string (NULL gives "(null)"). */
char	*text_safe_str(char *dst, size_t dstlen, const char *src, int flags);
/* How long the escaped form of src is (without the NUL). */
size_t	 text_safe_len(const void *src, size_t srclen, int flags);

#endif
