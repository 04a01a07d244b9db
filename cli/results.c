/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fail.h"
#include "failmsg.h"
#include "hostlist.h"
#include "output.h"
#include "results.h"
#include "signames.h"
#include "terminal.h"
#include "textsafe.h"

#define GATHER_RULE	"----------------\n"
/* Held output goes to the writer this much at a time. */
#define PRINT_CHUNK	(64 * 1024)

static void	 oom_line(const struct host *);
static json_t	*host_json(const struct host *);
static json_t	*exit_json(const struct host *);
static json_t	*error_json(const struct host *);
static json_t	*text_json(const struct hold *);
static char	*utf8_clean(const unsigned char *, size_t, size_t *);
static size_t	 utf8_seq(const unsigned char *, size_t);
static void	 outcome(const struct host *, char *, size_t);
static void	 print_groups(struct host *, size_t n, bool gather, int safe);
static bool	 same_group(const struct host *, const struct host *, bool);
static void	 print_group(struct host *, size_t n, size_t first,
		    bool gather, char **names, uint8_t *seen, int safe);
static char	*safe_names(const char *);
static void	 print_held(const struct hold *, int safe);
static size_t	 make_safe(char *dst, const char *, size_t, int flags);

void
results_report(const struct host *h)
{
	char line[sizeof(h->reason) + 1200];
	size_t n = failmsg_line(line, sizeof(line), failmsg_flags(), h->label,
	    h->reason);

	/* A failed pty session ends here: the line needs a normal terminal
	 * (as in report()), and nothing of the session comes after it. */
	term_restore();
	if (n > 0 && output_text(2, line, n) == -1)
		report_line(line);
}

int
results_fail_oom(struct host *h)
{
	h->fail = HOST_LOCAL;
	snprintf(h->reason, sizeof(h->reason), "out of memory");
	results_report(h);
	return 255;
}

int
results_hold(struct host *h, int fd, const void *p, size_t n, bool json)
{
	struct hold *k = &h->held[fd];

	if (json && k->len + n > RESULTS_JSON_KEEP) {
		k->truncated = true;
		n = RESULTS_JSON_KEEP - (size_t)k->len;
	}
	return hold_add(k, p, n);
}

void
results_host_done(struct host *h, const struct engine_opts *o)
{
	json_t *obj;
	size_t len;
	char *s;

	if (!o->json)
		return;
	if ((obj = host_json(h)) == NULL ||
	    (s = json_dumps(obj, JSON_COMPACT |
	    (o->safe[1] ? JSON_ENSURE_ASCII : 0))) == NULL) {
		json_decref(obj);
		oom_line(h);
		return;
	}
	json_decref(obj);
	len = strlen(s);
	s[len] = '\n';		/* over the NUL: the text is counted */
	if (output_text(1, s, len + 1) == -1)
		oom_line(h);
	free(s);
	/* Printed: what it held is of no more use (stdout is, to -b). */
	hold_free(&h->held[2]);
	if (!o->gather)
		hold_free(&h->held[1]);
}

/* Out of memory: straight to stderr, not through the queue. */
static void
oom_line(const struct host *h)
{
	char line[1200];

	failmsg_line(line, sizeof(line), failmsg_flags(), h->label,
	    "out of memory");
	report_line(line);
}

static json_t *
host_json(const struct host *h)
{
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:I}",
	    "host", h->label, "status", h->fail == HOST_NOT_STARTED ?
	    json_null() : json_integer(h->status),
	    "exit", exit_json(h), "error", error_json(h),
	    "stdout", text_json(&h->held[1]),
	    "stderr", text_json(&h->held[2]),
	    "stdout_truncated", h->held[1].truncated,
	    "stderr_truncated", h->held[2].truncated,
	    "duration_ms", (json_int_t)h->duration_ms);
}

static json_t *
exit_json(const struct host *h)
{
	const char *name;

	if (h->fail != HOST_OK)
		return json_null();
	if (h->exit.exited)
		return json_pack("{s:i}", "code", h->exit.code);
	name = signame_from_number(h->exit.signal);
	return json_pack("{s:i, s:s}", "signal", h->exit.signal,
	    "signame", name != NULL ? name : "?");
}

static json_t *
error_json(const struct host *h)
{
	static const char *const codes[] = {
		[HOST_RESOLVE] = "resolve", [HOST_CONNECT] = "connect",
		[HOST_LOCAL] = "client", [HOST_NOT_STARTED] = "not_run",
	};

	if (h->fail == HOST_OK)
		return json_null();
	return json_pack("{s:s, s:s}", "code", h->fail == HOST_SERVER ?
	    h->errcode : codes[h->fail], "message", h->reason);
}

/* At most RESULTS_JSON_KEEP bytes: read whole. */
static json_t *
text_json(const struct hold *k)
{
	unsigned char *raw = malloc(k->len ? (size_t)k->len : 1);
	size_t len;
	char *s = NULL;
	json_t *j;

	if (raw != NULL && hold_read(k, 0, raw, (size_t)k->len) ==
	    (ssize_t)k->len)
		s = utf8_clean(raw, (size_t)k->len, &len);
	free(raw);
	if (s == NULL)
		return NULL;
	j = json_stringn_nocheck(s, len);
	free(s);
	return j;
}

/* Bytes that are not UTF-8 become U+FFFD, one per byte. */
static char *
utf8_clean(const unsigned char *p, size_t n, size_t *len)
{
	char *s = malloc(n * 3 + 1), *d = s;

	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < n; ) {
		size_t k = utf8_seq(p + i, n - i);
		if (k == 0) {
			memcpy(d, "\xef\xbf\xbd", 3);
			d += 3;
			i++;
		} else {
			memcpy(d, p + i, k);
			d += k;
			i += k;
		}
	}
	*len = (size_t)(d - s);
	*d = '\0';
	return s;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if none. */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	size_t k;
	unsigned lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return k;
}

void
results_finish(struct host *hosts, size_t n, const struct engine_opts *o)
{
	if (o->gather)
		print_groups(hosts, n, true, o->safe[1] ? o->safe_flags : -1);
	if (o->fleet && !o->json)
		print_groups(hosts, n, false, -1);
}

/* What the summary says of a host; "" when it exited 0. */
static void
outcome(const struct host *h, char *buf, size_t len)
{
	const char *name;

	buf[0] = '\0';
	switch (h->fail) {
	case HOST_OK:
		/* A copy helper's own reason (fleet copy). */
		if (h->reason[0] != '\0' && h->status != 0)
			snprintf(buf, len, "%s", h->reason);
		else if (h->exit.exited && h->exit.code != 0)
			snprintf(buf, len, "exit %d", h->exit.code);
		else if (!h->exit.exited && (name =
		    signame_from_number(h->exit.signal)) != NULL)
			snprintf(buf, len, "killed by signal %s", name);
		else if (!h->exit.exited)
			snprintf(buf, len, "killed by signal %d",
			    h->exit.signal);
		break;
	case HOST_RESOLVE:
		snprintf(buf, len, "cannot resolve");
		break;
	case HOST_CONNECT:
		snprintf(buf, len, "cannot connect");
		break;
	case HOST_SERVER:
		snprintf(buf, len, "refused (%s)", h->errcode);
		break;
	case HOST_LOCAL:
		snprintf(buf, len, "%s", h->reason);
		break;
	case HOST_NOT_STARTED:
		snprintf(buf, len, "not run");
		break;
	}
	if (buf[0] == '\0' && h->status != 0)
		snprintf(buf, len, "status %d", h->status);
}

/* Hosts grouped in list order of each group's first host: by identical
 * stdout (gather), or by identical outcome (the summary). */
static void
print_groups(struct host *hosts, size_t n, bool gather, int safe)
{
	char **names = calloc(n ? n : 1, sizeof(*names));
	uint8_t *seen = calloc(n ? n : 1, 1);

	if (names == NULL || seen == NULL) {
		report("out of memory");
		free(names);
		free(seen);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char o[sizeof(hosts[i].reason)];
		outcome(&hosts[i], o, sizeof(o));
		if (seen[i] || (gather && hosts[i].held[1].len == 0) ||
		    (!gather && o[0] == '\0'))
			continue;
		print_group(hosts, n, i, gather, names, seen, safe);
	}
	free(names);
	free(seen);
	output_flush();
}

static bool
same_group(const struct host *a, const struct host *b, bool gather)
{
	char oa[sizeof(a->reason)], ob[sizeof(b->reason)];

	if (gather)
		return hold_same(&a->held[1], &b->held[1]);
	outcome(a, oa, sizeof(oa));
	outcome(b, ob, sizeof(ob));
	return strcmp(oa, ob) == 0;
}

static void
print_group(struct host *hosts, size_t n, size_t first, bool gather,
    char **names, uint8_t *seen, int safe)
{
	const struct host *h = &hosts[first];
	char o[sizeof(h->reason)], *folded, *names_safe, *head;
	size_t k = 0;
	int len;

	for (size_t j = first; j < n; j++)
		if (!seen[j] && same_group(h, &hosts[j], gather)) {
			seen[j] = 1;
			names[k++] = (char *)(uintptr_t)hosts[j].label;
		}
	if ((folded = hostlist_fold(names, k)) == NULL)
		return;
	names_safe = safe_names(folded);
	free(folded);
	if (names_safe == NULL)
		return;
	outcome(h, o, sizeof(o));
	len = gather ? asprintf(&head, GATHER_RULE "%s (%zu)\n" GATHER_RULE,
	    names_safe, k) : asprintf(&head, "rexec: %s (%zu): %s\n",
	    names_safe, k, o);
	free(names_safe);
	if (len < 0)
		return;
	output_text(gather ? 1 : 2, head, (size_t)len);
	free(head);
	if (gather)
		print_held(&h->held[1], safe);
}

/* In pieces, the queue written out whenever it is full: no more of the
 * output is in memory at once than the queue holds.  safe: text_safe's
 * flags for a terminal, -1 for the bytes as they are. */
static void
print_held(const struct hold *k, int safe)
{
	static char piece[PRINT_CHUNK], shown[TEXTSAFE_SIZE(PRINT_CHUNK)];
	ssize_t n;

	for (unsigned long long off = 0; off < k->len; off += (size_t)n) {
		if ((n = hold_read(k, off, piece, sizeof(piece))) <= 0) {
			report("cannot read the held output: %s",
			    strerror(n == 0 ? EIO : errno));
			break;
		}
		if (!output_has_room())
			output_flush();
		if ((safe == -1 ? output_text(1, piece, (size_t)n) :
		    output_text(1, shown, make_safe(shown, piece, (size_t)n,
		    safe))) == -1)
			break;
	}
	if (k->last != '\n')
		output_text(1, "\n", 1);
}

/* Host names from a list file are foreign text too. */
static char *
safe_names(const char *names)
{
	size_t len = strlen(names);
	char *s = malloc(TEXTSAFE_SIZE(len));

	if (s != NULL)
		text_safe(s, TEXTSAFE_SIZE(len), names, len, failmsg_flags());
	return s;
}

/* n bytes of output escaped line by line, the newlines kept; the length. */
static size_t
make_safe(char *dst, const char *p, size_t n, int flags)
{
	const char *end = p + n, *nl;
	size_t used = 0;

	while (p < end) {
		size_t len = (nl = memchr(p, '\n', (size_t)(end - p))) != NULL ?
		    (size_t)(nl - p) : (size_t)(end - p);
		text_safe(dst + used, TEXTSAFE_SIZE(len), p, len, flags);
		used += strlen(dst + used);
		if (nl != NULL)
			dst[used++] = '\n';
		p += len + (nl != NULL);
	}
	return used;
}
