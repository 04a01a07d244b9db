/* SPDX-License-Identifier: ISC */
/* The master: signals, the pool, reload and shutdown. */
#ifndef REXECD_MASTER_H
#define REXECD_MASTER_H

#include "config.h"
#include "listen.h"

/* Before the listening line: a signal sent then must not kill us. */
void	master_block_signals(void);
void	master_run(struct config *, const struct config_opts *,
	    struct listeners *) __attribute__((noreturn));

#endif
