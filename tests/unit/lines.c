/* SPDX-License-Identifier: ISC */
/* Line assembly for fleet output: whole lines under one prefix each. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "lines.h"

/* Feeds text as fd's stream in chunks of step bytes, writing the block
 * out whenever it is full; returns what was written (malloc'd). */
static char *
feed(struct lines *l, int fd, const char *text, size_t step, bool close)
{
	size_t len = strlen(text), off = 0, outlen = 0;
	char *out = calloc(1, 1 << 20);

	while (off < len) {
		size_t n = len - off < step ? len - off : step, took;
		took = lines_take(l, fd, (const unsigned char *)text + off, n);
		if (took < n || l->blocklen > 0) {
			memcpy(out + outlen, l->block, l->blocklen);
			outlen += l->blocklen;
			lines_written(l);
		}
		off += took;
	}
	if (close) {
		cr_assert(lines_close(l, fd));
		memcpy(out + outlen, l->block, l->blocklen);
		outlen += l->blocklen;
		lines_written(l);
	}
	return out;
}

Test(lines, prefix_on_every_line)
{
	struct lines l;
	char *out;

	lines_init(&l, "n1: ");
	out = feed(&l, 1, "a\nbb\nccc\n", 100, false);
	cr_assert_str_eq(out, "n1: a\nn1: bb\nn1: ccc\n");
	free(out);
	lines_free(&l);
}

Test(lines, split_anywhere_same_result)
{
	const char *text = "one\ntwo two\n\nthree three three\n";

	for (size_t step = 1; step < 12; step++) {
		struct lines l;
		char *out;
		lines_init(&l, "h: ");
		out = feed(&l, 2, text, step, false);
		cr_assert_str_eq(out, "h: one\nh: two two\nh: \n"
		    "h: three three three\n", "step %zu", step);
		free(out);
		lines_free(&l);
	}
}

Test(lines, last_line_gets_a_newline)
{
	struct lines l;
	char *out;

	lines_init(&l, "x: ");
	out = feed(&l, 1, "a\nno newline", 4, true);
	cr_assert_str_eq(out, "x: a\nx: no newline\n");
	cr_assert_not(lines_partial(&l, 1));
	free(out);
	lines_free(&l);
}

Test(lines, long_line_in_pieces_each_prefixed)
{
	size_t len = LINES_PIECE_MAX * 2 + 10;
	char *text = malloc(len + 2), *out, *p;
	struct lines l;
	int pieces = 0;

	memset(text, 'y', len);
	text[len] = '\n';
	text[len + 1] = '\0';
	lines_init(&l, "p: ");
	out = feed(&l, 1, text, 5000, false);
	for (p = out; *p != '\0'; p = strchr(p, '\n') + 1) {
		cr_assert_eq(strncmp(p, "p: ", 3), 0);
		cr_assert_leq((size_t)(strchr(p, '\n') - p - 3),
		    LINES_PIECE_MAX);
		pieces++;
	}
	cr_assert_eq(pieces, 3);
	cr_assert_eq(strlen(out), len + 3 * 3 + 3);
	free(text);
	free(out);
	lines_free(&l);
}

Test(lines, streams_never_share_a_block)
{
	struct lines l;

	lines_init(&l, "");
	cr_assert_eq(lines_take(&l, 1, (const unsigned char *)"out\n", 4), 4);
	cr_assert_eq(l.block_fd, 1);
	/* stderr waits until the stdout block is written. */
	cr_assert_eq(lines_take(&l, 2, (const unsigned char *)"err\n", 4), 0);
	lines_written(&l);
	cr_assert_eq(lines_take(&l, 2, (const unsigned char *)"err\n", 4), 4);
	cr_assert_eq(l.block_fd, 2);
	cr_assert_eq(l.blocklen, 4);
	lines_written(&l);
	lines_free(&l);
}

/* For a terminal: escapes, CR and C1 shown escaped, TAB and UTF-8 kept,
 * a character split between two reads kept whole; however it is cut. */
Test(lines, made_safe_for_a_terminal)
{
	const char *text = "ok\t\xc3\xa9\n\033[2J\rh2: forged\n\xc2\x9b" "1A"
	    "\x9b" "2K\nlast";

	for (size_t step = 1; step < 9; step++) {
		struct lines l;
		char *out;
		lines_init(&l, "h1: ");
		lines_make_safe(&l, 1, TEXT_UTF8 | TEXT_TAB);
		out = feed(&l, 1, text, step, true);
		cr_assert_str_eq(out, "h1: ok\t\xc3\xa9\n"
		    "h1: \\033[2J\\rh2: forged\n"
		    "h1: \\302\\2331A\\2332K\n"
		    "h1: last\n", "step %zu", step);
		free(out);
		lines_free(&l);
	}
}

/* A long line of controls: each piece escaped fits the block. */
Test(lines, long_escaped_line_in_pieces)
{
	size_t len = LINES_PIECE_MAX * 2 + 10;
	char *text = malloc(len + 1), *out;
	struct lines l;

	memset(text, '\033', len);
	text[len] = '\0';
	lines_init(&l, "p: ");
	lines_make_safe(&l, 2, 0);
	out = feed(&l, 2, text, 4096, true);
	cr_assert_eq(strlen(out), 3 * (3 + 1) + 4 * len);
	cr_assert_null(strchr(out, '\033'));
	free(out);
	free(text);
	lines_free(&l);
}
