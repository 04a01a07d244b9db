/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "clock.h"
#include "frame.h"
#include "status.h"
#include "statusmsg.h"

/* What a worker's numbers and names take in the document, at most. */
#define WORKER_JSON_FIXED	256

static const char *const state_names[SLOT_STATE_COUNT] = {
	[SLOT_DEAD] = "dead",
	[SLOT_STARTING] = "starting",
	[SLOT_IDLE] = "idle",
	[SLOT_READING] = "busy",	/* its request is being read */
	[SLOT_BUSY] = "busy",
	[SLOT_EXITING] = "exiting",
};

static bool	append(char **d, const char *end, const char *src,
		    size_t *chars);
static json_t	*document(struct scoreboard *, pid_t master);
static json_t	*workers(struct scoreboard *, bool *truncated);
static size_t	 worker_size(const struct slot *);
static json_t	*worker(const struct slot *, long long now);
static json_t	*string(const char *s, size_t max);

void
status_cmdline(const struct exec_req *r, char *buf, size_t size)
{
	char *d = buf, *end = buf + size - 1;
	size_t chars = 0;

	if (r->subsystem != NULL)
		(void)append(&d, end, r->subsystem, &chars);
	if (r->cmd != NULL)
		(void)append(&d, end, r->cmd, &chars);
	for (size_t i = 0; r->cmd == NULL && i < r->argc; i++)
		if ((i > 0 && !append(&d, end, " ", &chars)) ||
		    !append(&d, end, r->argv[i], &chars))
			break;
	*d = '\0';
}

/* Copies whole UTF-8 characters (the request's strings are valid UTF-8)
 * while they fit; false once full. */
static bool
append(char **d, const char *end, const char *src, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t n;

	while (*p != '\0') {
		n = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		if (*chars == STATUS_CMD_MAX || *d + n > end ||
		    strnlen((const char *)p, n) < n)
			return false;
		memcpy(*d, p, n);
		*d += n;
		p += n;
		++*chars;
	}
	return true;
}

char *
status_dump(struct scoreboard *sb, pid_t master, size_t *len)
{
	json_t *doc = document(sb, master);
	char *text;

	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text != NULL)
		*len = strlen(text);
	return text;
}

static json_t *
document(struct scoreboard *sb, pid_t master)
{
	bool truncated = false;
	json_t *w = workers(sb, &truncated), *doc;

	if (w == NULL)
		return NULL;
	doc = json_pack("{s:s, s:i, s:I, s:I, s:I, s:i, s:o}",
	    "version", REXEC_VERSION, "pid", (int)master,
	    "uptime_s", (json_int_t)((now_ms() - sb->started_ms) / 1000),
	    "served", (json_int_t)__atomic_load_n(&sb->served,
	    __ATOMIC_RELAXED),
	    "refused", (json_int_t)__atomic_load_n(&sb->refused,
	    __ATOMIC_RELAXED),
	    "generation", (int)__atomic_load_n(&sb->generation,
	    __ATOMIC_RELAXED), "workers", w);
	if (doc != NULL && truncated &&
	    json_object_set_new(doc, "truncated", json_true()) == -1) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/*
 * Workers beyond the payload limit are left out, and the document says
 * so ("truncated"): 1024 workers running long commands would not fit.
 */
static json_t *
workers(struct scoreboard *sb, bool *truncated)
{
	json_t *arr = json_array(), *w;
	long long now = now_ms();
	size_t budget = FRAME_PAYLOAD_MAX - 1024;
	struct slot copy;

	for (struct slot *s = scoreboard_next(sb, NULL); s != NULL &&
	    arr != NULL; s = scoreboard_next(sb, s)) {
		/* Between slot_start and slot_pid a slot has no process:
		 * not listed (issue 19). */
		if (slot_snapshot(s, &copy) == -1 ||
		    copy.state == SLOT_DEAD || copy.pid <= 0)
			continue;
		if (budget < worker_size(&copy)) {
			*truncated = true;
			break;
		}
		budget -= worker_size(&copy);
		if ((w = worker(&copy, now)) == NULL ||
		    json_array_append_new(arr, w) == -1) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

/* Its strings escaped at 6 bytes a byte (\u00XX) at worst. */
static size_t
worker_size(const struct slot *s)
{
	return WORKER_JSON_FIXED + 6 * (strnlen(s->peer, sizeof(s->peer)) +
	    strnlen(s->user, sizeof(s->user)) +
	    strnlen(s->command, sizeof(s->command)));
}

static json_t *
worker(const struct slot *s, long long now)
{
	bool reading = s->state == SLOT_READING;
	json_t *w;

	w = json_pack("{s:i, s:s, s:I}", "pid", (int)s->pid,
	    "state", state_names[s->state], "served",
	    (json_int_t)s->requests);
	if (w == NULL || (s->state != SLOT_READING && s->state != SLOT_BUSY))
		return w;
	/* A request still being read has no account or command yet. */
	if (json_object_set_new(w, "peer", string(s->peer,
	    sizeof(s->peer))) == -1 ||
	    json_object_set_new(w, "user", string(s->user,
	    sizeof(s->user))) == -1 ||
	    json_object_set_new(w, "cmd", string(s->command,
	    sizeof(s->command))) == -1 ||
	    json_object_set_new(w, "busy_ms", json_integer(now -
	    (reading ? s->accepted_ms : s->busy_ms))) == -1 ||
	    json_object_set_new(w, "phase", json_string(reading ?
	    "request" : "command")) == -1) {
		json_decref(w);
		return NULL;
	}
	return w;
}

/* A slot's string; "" if the copy is still torn (not valid UTF-8). */
static json_t *
string(const char *s, size_t max)
{
	json_t *j = json_stringn(s, strnlen(s, max));

	return j != NULL ? j : json_string("");
}
