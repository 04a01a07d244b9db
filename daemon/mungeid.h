/* SPDX-License-Identifier: ISC */
/*
 * Who a MUNGE credential says the client is: the uid of the process that
 * asked its munged for it, as the local munged decodes it (same key,
 * within its lifetime, once).  The worker asks; it needs no privilege.
 */
#ifndef REXECD_MUNGEID_H
#define REXECD_MUNGEID_H

#include <sys/types.h>

#include <stdbool.h>

#define MUNGEID_REASON_MAX	256

struct mungeid_error {
	char	reason[MUNGEID_REASON_MAX];	/* "munge: ...", for the client */
	char	detail[MUNGEID_REASON_MAX];	/* munged's words, for the log */
	bool	client;		/* the credential's fault, not munged's */
};

/* 0 with *uid, or -1 with e filled.  socket NULL or "": the default. */
int	mungeid_decode(const char *socket, const char *cred, uid_t *uid,
	    struct mungeid_error *e);

#endif
