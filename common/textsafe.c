/* SPDX-License-Identifier: ISC */
#include <stdbool.h>
#include <string.h>

/* libbsd warns about NetBSD's strnvis; vis(3) is the same in both. */
#define LIBBSD_OPENBSD_VIS 1
#include <bsd/vis.h>

#include "textsafe.h"

#define VIS_FLAGS	(VIS_CSTYLE | VIS_OCTAL | VIS_TAB | VIS_NL)
#define ELLIPSIS	"..."
/* The longest escape vis(3) makes of one byte, and of UTF-8. */
#define PIECE_MAX	4

static size_t	piece(char out[PIECE_MAX + 1], const unsigned char *s,
		    size_t n, int flags);
static size_t	utf8_printable(const unsigned char *s, size_t n);

char *
text_safe(char *dst, size_t dstlen, const void *src, size_t srclen,
    int flags)
{
	const unsigned char *s = src;
	size_t used = 0, limit, i = 0;
	char p[PIECE_MAX + 1];

	if (dstlen == 0)
		return dst;
	dst[0] = '\0';
	/* Room for the ellipsis is kept only when the whole cannot fit. */
	limit = text_safe_len(src, srclen, flags) < dstlen ||
	    dstlen <= sizeof(ELLIPSIS) ? dstlen - 1 : dstlen - sizeof(ELLIPSIS);
	while (i < srclen) {
		size_t take = piece(p, s + i, srclen - i, flags);
		size_t len = strlen(p);

		if (used + len > limit)
			break;
		memcpy(dst + used, p, len);
		used += len;
		i += take;
	}
	dst[used] = '\0';
	if (i < srclen && dstlen > sizeof(ELLIPSIS))
		memcpy(dst + used, ELLIPSIS, sizeof(ELLIPSIS));
	return dst;
}

char *
text_safe_str(char *dst, size_t dstlen, const char *src, int flags)
{
	if (src == NULL)
		src = "(null)";
	return text_safe(dst, dstlen, src, strlen(src), flags);
}

size_t
text_safe_len(const void *src, size_t srclen, int flags)
{
	const unsigned char *s = src;
	char p[PIECE_MAX + 1];
	size_t len = 0;

	for (size_t i = 0; i < srclen; ) {
		i += piece(p, s + i, srclen - i, flags);
		len += strlen(p);
	}
	return len;
}

/* The next character of s as it is printed; returns the bytes taken. */
static size_t
piece(char out[PIECE_MAX + 1], const unsigned char *s, size_t n, int flags)
{
	size_t u = (flags & TEXT_UTF8) ? utf8_printable(s, n) : 0;

	if (u > 0) {
		memcpy(out, s, u);
		out[u] = '\0';
		return u;
	}
	/* vis(3) looks at the next byte only to keep "\0" before a digit
	 * unambiguous. */
	vis(out, s[0], (flags & TEXT_TAB) ? VIS_FLAGS & ~VIS_TAB : VIS_FLAGS,
	    n > 1 ? s[1] : '\0');
	return 1;
}

/* Length of a well-formed UTF-8 sequence at s for a printable code point
 * of U+00A0 or above (C1 controls are not), or 0. */
static size_t
utf8_printable(const unsigned char *s, size_t n)
{
	unsigned cp;
	size_t len;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;
	return len;
}
