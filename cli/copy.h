/* SPDX-License-Identifier: ISC */
/*
 * Fleet copy (files.md): --copy sends local files to every host as one
 * tar stream, read once and broadcast as stdin to the rexec-copy-in
 * subsystem; --rcopy runs rexec-copy-out on every host, spools each
 * host's stream to an unlinked file in DEST and, once that host's
 * command exited 0, extracts it safely as DEST/NAME.HOST.
 */
#ifndef REXEC_CLI_COPY_H
#define REXEC_CLI_COPY_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "message.h"

/* getopt_long's values for the options taken here. */
#define COPY_OPT_COPY		320
#define COPY_OPT_RCOPY		321
#define COPY_OPT_DEST		322
#define COPY_OPT_PRESERVE	323

struct copyopts {
	bool		 copy;
	bool		 rcopy;
	bool		 preserve;
	const char	*dest;
};

struct copyrun;

/* Takes one of them; 0, or -1 after a usage error. */
int	copy_take(struct copyopts *, int c, const char *arg);
bool	copy_mode(const struct copyopts *);
/* Without -w: the first copy option given anyway, or NULL. */
const char	*copy_stray_option(const struct copyopts *);
/* The words after the options: sources, and --dest/--preserve among
 * them.  NULL after a usage error or a missing source (reported). */
struct copyrun	*copy_prepare(const struct copyopts *, char **words,
		    int nwords);
void	copy_free(struct copyrun *);

/* The exec request's subsystem, env (env/envc, the user's -e first) and
 * stdin; 0, or -1 when out of memory. */
int	copy_request(struct copyrun *, struct exec_req *, char **env,
	    size_t envc);
/* Whether the stream is sent (--copy) rather than received (--rcopy). */
bool	copy_sends(const struct copyrun *);
/* --copy: the next piece of the stream (instore's source). */
ssize_t	copy_fill(void *buf, size_t len, void *copyrun);
const char	*copy_fill_error(const struct copyrun *);

/* --rcopy, per host: its spool (an fd, or -1 with errno), a piece of
 * its stream into it (0 or -1 with errno), and the extraction once it
 * exited 0 (0, or -1 with the reason in err). */
int	copy_spool_open(const struct copyrun *);
int	copy_spool_write(int fd, const void *, size_t);
unsigned long long copy_spooled(void);
int	copy_extract(const struct copyrun *, int fd, const char *label,
	    char *err, size_t errlen);

#endif
