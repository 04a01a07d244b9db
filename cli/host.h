/* SPDX-License-Identifier: ISC */
/* One host of a run: where it is, and what became of it. */
#ifndef REXEC_CLI_HOST_H
#define REXEC_CLI_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "hold.h"
#include "message.h"


/* Why a host did not run its command to the end. */
enum host_fail {
	HOST_OK,		/* it ran: exit holds how it ended */
	HOST_RESOLVE,
	HOST_CONNECT,
	HOST_SERVER,		/* the server's error frame: errcode */
	HOST_LOCAL,		/* protocol, lost connection, interrupted */
	HOST_NOT_STARTED,	/* not run: a signal, --max-fail or -k came
				 * before its turn (reason says which) */
};

struct host {
	const char		*label;		/* as the list spells it */
	const char		*name;		/* to resolve */
	const char		*port;
	const char		*user;		/* NULL: the daemon's default */

	bool			 done;
	int			 status;	/* single-host rexec's status */
	enum host_fail		 fail;
	struct exit_status	 exit;		/* when fail is HOST_OK */
	char			 errcode[32];	/* server's, or resolve/connect */
	char			 reason[256];	/* the line printed, sans host */
	long long		 t0;		/* when its connection began */
	long long		 duration_ms;
	struct hold		 held[3];	/* -b, --json: [1] stdout, [2] stderr */
};

#endif
