/* SPDX-License-Identifier: ISC */
/* rexec --status's table: elapsed times, aligned columns, no control
 * characters on the terminal, no trailing blanks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "statustable.h"
#include "textsafe.h"

Test(statustable, elapsed_times)
{
	const struct { long long ms; const char *s; } want[] = {
		{ 0, "0ms" }, { 850, "850ms" }, { 3249, "3.2s" },
		{ 59999, "59.9s" }, { 65000, "1m05s" }, { 3599000, "59m59s" },
		{ 3600000 + 3 * 60000, "1h03m" },
		{ 4LL * 86400000 + 7 * 3600000, "4d07h" }, { -5, "0ms" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_str_eq(statustable_elapsed(want[i].ms, buf,
		    sizeof(buf)), want[i].s, "%lld ms", want[i].ms);
}

static char *
table_flags(const char *doc_json, int flags)
{
	json_t *doc = json_loads(doc_json, 0, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(doc);
	cr_assert_not_null(f);
	cr_assert_eq(statustable_print(f, doc, flags), 0);
	fclose(f);
	json_decref(doc);
	return out;
}

static char *
table(const char *doc_json)
{
	return table_flags(doc_json, 0);
}

Test(statustable, aligned_columns)
{
	char *out = table("{\"version\":\"1.2\",\"pid\":10,\"uptime_s\":65,"
	    "\"served\":7,\"refused\":1,\"generation\":2,\"workers\":["
	    "{\"pid\":11,\"state\":\"busy\",\"served\":3,\"peer\":"
	    "\"127.0.0.1:4000\",\"user\":\"alice\",\"cmd\":\"sleep\\n9\","
	    "\"busy_ms\":3200,\"phase\":\"command\"},"
	    "{\"pid\":12345,\"state\":\"idle\",\"served\":120}]}");

	cr_assert_str_eq(out,
	    "rexecd 1.2, pid 10, up 1m05s, generation 2: 7 served, 1 refused\n"
	    "  PID  STATE  ELAPSED  SERVED  PEER            ACCOUNT  COMMAND\n"
	    "   11  busy      3.2s       3  127.0.0.1:4000  alice    sleep\\n9\n"
	    "12345  idle               120\n");
	free(out);
}

/* No control byte of any kind in the table: C0, DEL, C1 as UTF-8
 * (U+009B, CSI) or as a raw byte, in every field a client chose. */
static void
assert_no_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		cr_assert(*p >= 0x20 || *p == '\n', "C0 %#x in %s", *p, s);
		cr_assert(*p != 0x7f, "DEL in %s", s);
		cr_assert(!(p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0),
		    "C1 in %s", s);
	}
}

#define HOSTILE_DOC \
	"{\"version\":\"1\\u009b2J\",\"pid\":1,\"uptime_s\":1,\"served\":0," \
	"\"refused\":0,\"generation\":1,\"workers\":[{\"pid\":2," \
	"\"state\":\"busy\",\"served\":1,\"peer\":\"10.0.0.1\\u009b2J\"," \
	"\"user\":\"bob\\u001b[31m\",\"cmd\":\"rm\\r\\u009b1Aok \\u00e9\"," \
	"\"busy_ms\":5,\"phase\":\"command\"}]}"

Test(statustable, c0_and_c1_escaped)
{
	char *out = table_flags(HOSTILE_DOC, 0);

	assert_no_controls(out);
	cr_assert_str_eq(out,
	    "rexecd 1\\302\\2332J, pid 1, up 1.0s, generation 1: 0 served, "
	    "0 refused\n"
	    "PID  STATE  ELAPSED  SERVED  PEER                ACCOUNT      "
	    "COMMAND\n"
	    "  2  busy       5ms       1  10.0.0.1\\302\\2332J  bob\\033[31m  "
	    "rm\\r\\302\\2331Aok \\303\\251\n");
	free(out);
}

/* In a UTF-8 locale printable characters stay; C1 is still escaped. */
Test(statustable, c1_escaped_utf8_kept)
{
	char *out = table_flags(HOSTILE_DOC, TEXT_UTF8);

	assert_no_controls(out);
	cr_assert_not_null(strstr(out, "10.0.0.1\\302\\2332J  "), "%s", out);
	cr_assert_not_null(strstr(out, "rm\\r\\302\\2331Aok \xc3\xa9\n"),
	    "%s", out);
	free(out);
}
