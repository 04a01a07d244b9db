/* SPDX-License-Identifier: ISC */
/* The status document, built from the scoreboard alone: what it lists. */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "daemon/scoreboard.h"
#include "daemon/status.h"

#define MASTER_PID	4242

static json_t *
dump(struct scoreboard *sb)
{
	size_t len = 0;
	char *text = status_dump(sb, MASTER_PID, &len);
	json_t *doc;

	cr_assert_not_null(text);
	cr_assert_eq(len, strlen(text));
	doc = json_loads(text, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", text);
	free(text);
	return doc;
}

static json_t *
workers(json_t *doc)
{
	json_t *w = json_object_get(doc, "workers");

	cr_assert(json_is_array(w));
	return w;
}

/* A slot the master took but has not forked for yet: no pid, so not
 * listed (protocol.md; issue 19 saw {"pid": 0, "state": "starting"}). */
Test(daemon_status, starting_slot_without_pid_not_listed)
{
	struct scoreboard *sb = scoreboard_create();
	struct slot *a, *b;
	json_t *doc, *w;

	cr_assert_not_null(a = slot_start(sb, 1));
	slot_pid(a, 1001);
	slot_idle(a);
	cr_assert_not_null(b = slot_start(sb, 1));	/* no pid yet */
	doc = dump(sb);
	w = workers(doc);
	cr_assert_eq(json_array_size(w), 1, "%zu workers listed",
	    json_array_size(w));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(w, 0),
	    "pid")), 1001);
	json_decref(doc);

	/* Once forked, it is listed, still starting. */
	slot_pid(b, 1002);
	doc = dump(sb);
	w = workers(doc);
	cr_assert_eq(json_array_size(w), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(w, 1),
	    "pid")), 1002);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(w,
	    1), "state")), "starting");
	json_decref(doc);
	munmap(sb, sizeof(*sb));
}

Test(daemon_status, no_listed_worker_has_pid_zero)
{
	struct scoreboard *sb = scoreboard_create();
	json_t *doc, *w, *e;
	size_t i;

	for (int n = 0; n < 6; n++) {
		struct slot *s = slot_start(sb, 1);

		cr_assert_not_null(s);
		if (n % 2 == 0)
			slot_pid(s, 2000 + n);
	}
	doc = dump(sb);
	w = workers(doc);
	cr_assert_eq(json_array_size(w), 3);
	json_array_foreach(w, i, e)
		cr_assert_gt(json_integer_value(json_object_get(e, "pid")), 0);
	cr_assert_eq(json_integer_value(json_object_get(doc, "pid")),
	    MASTER_PID);
	json_decref(doc);
	munmap(sb, sizeof(*sb));
}

/* Dead slots are never listed; a busy one shows its request. */
Test(daemon_status, busy_and_dead_slots)
{
	struct scoreboard *sb = scoreboard_create();
	struct slot *a = slot_start(sb, 1), *b = slot_start(sb, 1);
	json_t *doc, *w, *e;

	slot_pid(a, 3001);
	slot_reading(a, "127.0.0.1", &(struct srckey){ 0 });
	slot_busy(a, "alice", "make -j2", 3100);
	slot_pid(b, 3002);
	slot_dead(b);
	doc = dump(sb);
	w = workers(doc);
	cr_assert_eq(json_array_size(w), 1);
	e = json_array_get(w, 0);
	cr_assert_str_eq(json_string_value(json_object_get(e, "state")),
	    "busy");
	cr_assert_str_eq(json_string_value(json_object_get(e, "user")),
	    "alice");
	cr_assert_str_eq(json_string_value(json_object_get(e, "cmd")),
	    "make -j2");
	cr_assert_str_eq(json_string_value(json_object_get(e, "peer")),
	    "127.0.0.1");
	json_decref(doc);
	munmap(sb, sizeof(*sb));
}
