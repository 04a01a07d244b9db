/* SPDX-License-Identifier: ISC */
/* The human form of a status document: a summary line, then a table. */
#ifndef REXEC_CLI_STATUSTABLE_H
#define REXEC_CLI_STATUSTABLE_H

#include <stdio.h>

#include <jansson.h>

/* 0, or -1 when writing failed; flags as text_safe's. */
int	statustable_print(FILE *, json_t *doc, int flags);

/* ms as "850ms", "3.2s", "1m05s", "2h03m", "4d07h", in buf. */
const char *statustable_elapsed(long long ms, char *buf, size_t len);

#endif
