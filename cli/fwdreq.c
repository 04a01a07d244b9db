/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "connectmsg.h"
#include "fwdreq.h"

json_t *
fwdreq_connect(const char *host, int port, const char *token)
{
	struct connect_req r = { .host = host, .port = (unsigned)port,
	    .token = token, .token_len = token != NULL ? strlen(token) : 0 };

	if (strlen(host) > CONNECT_HOST_MAX)
		return NULL;
	return msg_connect(&r);
}
