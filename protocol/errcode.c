/* SPDX-License-Identifier: ISC */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errcode.h"

static const char *const code_names[ERR_CODE_COUNT] = {
	[ERR_NONE] = "none",
	[ERR_BAD_FRAME] = "bad_frame",
	[ERR_BAD_REQUEST] = "bad_request",
	[ERR_VERSION] = "version",
	[ERR_AUTH] = "auth",
	[ERR_SPAWN] = "spawn",
	[ERR_TIMEOUT] = "timeout",
	[ERR_BUSY] = "busy",
	[ERR_INTERNAL] = "internal",
	[ERR_CONNECT] = "connect",
};

const char *
err_code_name(enum err_code c)
{
	if ((unsigned)c >= ERR_CODE_COUNT)
		return "internal";
	return code_names[c];
}

int
err_code_from_name(const char *name, enum err_code *c)
{
	for (int i = ERR_NONE + 1; i < ERR_CODE_COUNT; i++) {
		if (strcmp(name, code_names[i]) == 0) {
			*c = (enum err_code)i;
			return 0;
		}
	}
	return -1;
}

void
proto_error_set(struct proto_error *e, enum err_code code, const char *fmt,
    ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int
proto_bad(struct proto_error *e, const char *what)
{
	proto_error_set(e, ERR_BAD_REQUEST, "%s", what);
	return -1;
}
