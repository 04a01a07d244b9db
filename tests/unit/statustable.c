/* rexec --status's table: elapsed times, aligned columns, no control
 * characters on the terminal, no trailing blanks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "statustable.h"

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
table(const char *doc_json)
{
	json_t *doc = json_loads(doc_json, 0, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(doc);
	cr_assert_not_null(f);
	cr_assert_eq(statustable_print(f, doc), 0);
	fclose(f);
	json_decref(doc);
	return out;
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
	    "   11  busy      3.2s       3  127.0.0.1:4000  alice    sleep?9\n"
	    "12345  idle               120\n");
	free(out);
}
