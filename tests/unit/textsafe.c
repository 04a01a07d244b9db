/* SPDX-License-Identifier: ISC */
#include <criterion/criterion.h>

#include <string.h>

#include "textsafe.h"

static void
assert_printable_ascii(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		cr_assert(*p >= 0x20 && *p < 0x7f, "byte %#x left raw in %s",
		    (unsigned char)*p, s);
}

Test(textsafe, escapes_controls_newlines_and_backslashes)
{
	const char forged[] = "x\nworker: 10.9.9.9:4242 root\033[2J\\\x9b\x7f";
	char buf[256];

	text_safe(buf, sizeof(buf), forged, sizeof(forged) - 1, 0);
	cr_assert_str_eq(buf,
	    "x\\nworker: 10.9.9.9:4242 root\\033[2J\\\\\\233\\177");
	assert_printable_ascii(buf);
}

Test(textsafe, nul_bytes_are_escaped)
{
	char buf[64];

	text_safe(buf, sizeof(buf), "a\0b", 3, 0);
	cr_assert_str_eq(buf, "a\\0b");
	text_safe(buf, sizeof(buf), "a\0" "1", 3, 0);
	cr_assert_str_eq(buf, "a\\0001");
}

Test(textsafe, utf8_kept_only_when_asked_and_printable)
{
	/* é, then U+009B (a C1 CSI) encoded, then a lone 0x9b, then a
	 * truncated sequence. */
	const char s[] = "\xc3\xa9|\xc2\x9b|\x9b|\xe2\x82";
	char buf[128];

	text_safe(buf, sizeof(buf), s, sizeof(s) - 1, TEXT_UTF8);
	cr_assert_str_eq(buf, "\xc3\xa9|\\302\\233|\\233|\\342\\202");
	text_safe(buf, sizeof(buf), s, sizeof(s) - 1, 0);
	assert_printable_ascii(buf);
	/* Overlong and surrogate forms are not text. */
	text_safe(buf, sizeof(buf), "\xe0\x80\xaf\xed\xa0\x80", 6, TEXT_UTF8);
	assert_printable_ascii(buf);
}

Test(textsafe, cuts_at_a_whole_escape_with_an_ellipsis)
{
	char src[100], buf[16];

	memset(src, '\n', sizeof(src));
	text_safe(buf, sizeof(buf), src, sizeof(src), 0);
	/* 12 bytes of room before "...": six "\n" escapes. */
	cr_assert_str_eq(buf, "\\n\\n\\n\\n\\n\\n...");
	text_safe(buf, sizeof(buf), "fifteen bytes!!", 15, 0);
	cr_assert_str_eq(buf, "fifteen bytes!!");
	text_safe(buf, sizeof(buf), "sixteen bytes!!!", 16, 0);
	cr_assert_str_eq(buf, "sixteen byte...");
	cr_assert_eq(text_safe_len("a\nb", 3, 0), 4);
}

Test(textsafe, null_and_tiny_buffers)
{
	char buf[8];

	cr_assert_str_eq(text_safe_str(buf, sizeof(buf), NULL, 0), "(null)");
	text_safe(buf, 3, "abcdef", 6, 0);
	cr_assert_str_eq(buf, "ab");
	memset(buf, 'Z', sizeof(buf));
	text_safe(buf, 0, "abc", 3, 0);
	cr_assert_eq(buf[0], 'Z');
}

/* Command output on a terminal keeps its TABs, nothing else. */
Test(textsafe, tab_kept_on_request)
{
	char buf[64];

	text_safe(buf, sizeof(buf), "a\tb\033\r", 5, TEXT_TAB | TEXT_UTF8);
	cr_assert_str_eq(buf, "a\tb\\033\\r");
	text_safe(buf, sizeof(buf), "a\tb", 3, TEXT_UTF8);
	cr_assert_str_eq(buf, "a\\tb");
}
