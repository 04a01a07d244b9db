/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statusmsg.h"
#include "statustable.h"
#include "textsafe.h"

enum col { C_PID, C_STATE, C_ELAPSED, C_SERVED, C_PEER, C_ACCOUNT,
	C_COMMAND, C_COUNT };

#define CELL_MAX	96
/* The longest command as it is printed, escapes included. */
#define COMMAND_MAX	TEXTSAFE_SIZE(STATUS_CMD_MAX)

/* The command, last, is not padded: it stays in the document. */
struct row {
	char		 cell[C_COMMAND][CELL_MAX];
	const char	*command;
};

static const char *const heads[C_COUNT] = {
	"PID", "STATE", "ELAPSED", "SERVED", "PEER", "ACCOUNT", "COMMAND"
};
/* Numbers are right-aligned, words left-aligned. */
static const int right[C_COUNT] = { [C_PID] = 1, [C_ELAPSED] = 1,
	[C_SERVED] = 1 };

static void	summary(FILE *, json_t *doc, int flags);
static void	fill_row(struct row *, json_t *w, int flags);
static void	copy_text(char *dst, size_t len, const char *src, int flags);
static size_t	width(const char *);
static void	print_row(FILE *, const struct row *, const size_t *widths,
		    int flags);

int
statustable_print(FILE *f, json_t *doc, int flags)
{
	json_t *arr = json_object_get(doc, "workers"), *w;
	size_t n = json_array_size(arr), widths[C_COUNT], i;
	struct row *rows = calloc(n + 1, sizeof(*rows));

	if (rows == NULL)
		return -1;
	summary(f, doc, flags);
	for (int c = 0; c < C_COMMAND; c++) {
		copy_text(rows[0].cell[c], CELL_MAX, heads[c], flags);
		widths[c] = 0;
	}
	rows[0].command = heads[C_COMMAND];
	json_array_foreach(arr, i, w)
		fill_row(&rows[i + 1], w, flags);
	for (i = 0; i <= n; i++)
		for (int c = 0; c < C_COMMAND; c++)
			if (width(rows[i].cell[c]) > widths[c])
				widths[c] = width(rows[i].cell[c]);
	for (i = 0; i <= n; i++)
		print_row(f, &rows[i], widths, flags);
	free(rows);
	return ferror(f) ? -1 : 0;
}

static void
summary(FILE *f, json_t *doc, int flags)
{
	char up[32], version[64];
	json_t *t = json_object_get(doc, "truncated");

	copy_text(version, sizeof(version),
	    json_string_value(json_object_get(doc, "version")), flags);
	fprintf(f, "rexecd %s, pid %lld, up %s, generation %lld: %lld "
	    "served, %lld refused%s\n", version,
	    json_integer_value(json_object_get(doc, "pid")),
	    statustable_elapsed(1000 * json_integer_value(json_object_get(doc,
	    "uptime_s")), up, sizeof(up)),
	    json_integer_value(json_object_get(doc, "generation")),
	    json_integer_value(json_object_get(doc, "served")),
	    json_integer_value(json_object_get(doc, "refused")),
	    json_is_true(t) ? " (too many workers: some left out)" : "");
}

static void
fill_row(struct row *r, json_t *w, int flags)
{
	json_t *ms = json_object_get(w, "busy_ms");
	const char *phase = json_string_value(json_object_get(w, "phase"));

	snprintf(r->cell[C_PID], CELL_MAX, "%lld",
	    json_integer_value(json_object_get(w, "pid")));
	copy_text(r->cell[C_STATE], CELL_MAX,
	    json_string_value(json_object_get(w, "state")), flags);
	if (json_is_integer(ms))
		statustable_elapsed(json_integer_value(ms), r->cell[C_ELAPSED],
		    CELL_MAX);
	snprintf(r->cell[C_SERVED], CELL_MAX, "%lld",
	    json_integer_value(json_object_get(w, "served")));
	copy_text(r->cell[C_PEER], CELL_MAX,
	    json_string_value(json_object_get(w, "peer")), flags);
	copy_text(r->cell[C_ACCOUNT], CELL_MAX,
	    json_string_value(json_object_get(w, "user")), flags);
	if (phase != NULL && strcmp(phase, "request") == 0)
		r->command = "(reading the request)";
	else
		r->command = json_string_value(json_object_get(w, "cmd"));
}

/* The daemon's strings hold what clients sent: no control character
 * (C0, DEL, C1) reaches the terminal.  NULL (a member missing) is "". */
static void
copy_text(char *dst, size_t len, const char *src, int flags)
{
	text_safe_str(dst, len, src != NULL ? src : "", flags);
}

/* Columns on a terminal: UTF-8 characters, not bytes. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Columns up to the last non-empty one: no trailing blanks. */
static void
print_row(FILE *f, const struct row *r, const size_t *widths, int flags)
{
	char command[COMMAND_MAX];
	int last = C_COMMAND;

	copy_text(command, sizeof(command), r->command, flags);
	if (command[0] == '\0')
		for (last = C_COMMAND - 1; last > 0 && r->cell[last][0] ==
		    '\0'; last--)
			;
	for (int c = 0; c <= last && c < C_COMMAND; c++) {
		size_t pad = widths[c] - width(r->cell[c]);

		if (right[c])
			fprintf(f, "%*s%s", (int)pad, "", r->cell[c]);
		else
			fprintf(f, "%s%*s", r->cell[c], c < last ? (int)pad : 0,
			    "");
		fputs(c < last ? "  " : "", f);
	}
	fprintf(f, "%s\n", last == C_COMMAND ? command : "");
}

const char *
statustable_elapsed(long long ms, char *buf, size_t len)
{
	long long s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%lldms", ms < 0 ? 0 : ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)(ms / 100) / 10);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
	return buf;
}
