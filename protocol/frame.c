/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "frame.h"

static const char *const type_names[FRAME_TYPE_COUNT] = {
	[FRAME_EXEC] = "exec",
	[FRAME_STDIN] = "stdin",
	[FRAME_EOF] = "eof",
	[FRAME_SIGNAL] = "signal",
	[FRAME_STARTED] = "started",
	[FRAME_STDOUT] = "stdout",
	[FRAME_STDERR] = "stderr",
	[FRAME_EXIT] = "exit",
	[FRAME_ERROR] = "error",
	[FRAME_STATUS] = "status",
	[FRAME_WINSIZE] = "winsize",
	[FRAME_CONNECT] = "connect",
};

const char *
frame_type_name(enum frame_type t)
{
	if ((unsigned)t >= FRAME_TYPE_COUNT)
		return "?";
	return type_names[t];
}

int
frame_type_from_name(const char *name, enum frame_type *t)
{
	for (int i = 0; i < FRAME_TYPE_COUNT; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*t = (enum frame_type)i;
			return 0;
		}
	}
	return -1;
}

void
frame_clear(struct frame *f)
{
	if (f->hdr != NULL)
		json_decref(f->hdr);
	f->hdr = NULL;
	f->payload = NULL;
	f->len = 0;
}
