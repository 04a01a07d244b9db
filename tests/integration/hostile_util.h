/* SPDX-License-Identifier: ISC */
/*
 * Helpers for the hostile suites: an attacker's connections from an
 * address of its own (127.x.y.z, bound before connecting), so that the
 * daemon's per-address limits can be seen at work on loopback.
 */
#ifndef REXEC_TEST_HOSTILE_UTIL_H
#define REXEC_TEST_HOSTILE_UTIL_H

#include <stdbool.h>

#include "rexecd_proc.h"

/* A connection to the daemon from src (blocking when block, else the
 * connect may still be under way), or -1. */
int	ht_connect_from(const struct rexecd_proc *, const char *src,
	    bool block);
/* Reads what the server sends until it closes or timeout_ms: whether it
 * closed, and a prefix of what came (NUL-terminated) in buf. */
bool	ht_wait_close(int fd, int timeout_ms, char *buf, size_t len);
/* Lines of the log that contain needle. */
size_t	ht_count(const char *log, const char *needle);

#endif
