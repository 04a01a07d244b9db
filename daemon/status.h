/* SPDX-License-Identifier: ISC */
/*
 * The answer to a status request: the daemon's state as one JSON
 * document, read from the scoreboard alone (busy workers are never asked
 * or woken), and the command line a busy worker shows there.
 */
#ifndef REXECD_STATUS_H
#define REXECD_STATUS_H

#include <sys/types.h>

#include <stddef.h>

#include "message.h"
#include "scoreboard.h"

/* The command of req as the scoreboard keeps it and the log shows it:
 * argv joined with spaces, cut to STATUS_CMD_MAX characters or size - 1
 * bytes (UTF-8, never mid-character). */
void	status_cmdline(const struct exec_req *, char *buf, size_t size);

/* The document as JSON text (malloc'd, *len bytes, at most
 * FRAME_PAYLOAD_MAX), or NULL on ENOMEM. */
char	*status_dump(struct scoreboard *, pid_t master, size_t *len);

#endif
