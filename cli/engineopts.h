/* SPDX-License-Identifier: ISC */
/* How a run goes: what main.c decides and every layer of the engine reads. */
#ifndef REXEC_CLI_ENGINEOPTS_H
#define REXEC_CLI_ENGINEOPTS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct copyrun;
struct host;

/* A listening socket (-L): each connection accepted runs request to
 * host, with the accepted socket for its stdin and stdout. */
struct engine_listen {
	int		 fd;
	json_t		*request;
	const struct host *host;
};

struct engine_opts {
	json_t	*exec;		/* the request; "user" set per host */
	bool	 stdin_open;	/* forward stdin (broadcast) */
	bool	 munge;		/* a credential per host (mungecred.h) */
	int	 connect_timeout_ms;
	int	 family;	/* AF_UNSPEC, AF_INET, AF_INET6 */
	size_t	 fanout;
	bool	 lines;		/* whole lines, under prefix when prefix */
	bool	 prefix;
	bool	 gather;	/* -b: hold stdout, print blocks at the end */
	bool	 json;		/* --json: hold both, one object per host */
	bool	 fleet;		/* summary at the end; busy retried less */
	size_t	 batch;		/* --batch: hosts per batch; 0: one batch */
	size_t	 max_fail;	/* --max-fail: more failed, start no more */
	bool	 max_fail_set;
	bool	 fail_fast;	/* -k: the first failure stops, TERMs */
	const char *outdir;	/* --outdir: output into DIR/HOST.{out,err} */
	bool	 status_line;	/* batch progress on stderr, a terminal */
	bool	 safe[3];	/* by fd: output made safe for a terminal */
	int	 safe_flags;	/* text_safe's, for it */
	struct copyrun *copy;	/* --copy, --rcopy (copy.h), or NULL */
	const struct engine_listen *listen;	/* nlisten of them */
	size_t	 nlisten;
	/* -f: called once, when the first command started. */
	void	(*on_start)(void);
};

#endif
