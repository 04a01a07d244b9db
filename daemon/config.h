/* SPDX-License-Identifier: ISC */
/* The daemon's settings: defaults, the configuration file, the options. */
#ifndef REXECD_CONFIG_H
#define REXECD_CONFIG_H

#include <sys/resource.h>
#include <sys/types.h>

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "tokenfile.h"

#include "auth.h"
#include "log.h"

#define CONFIG_FILE		SYSCONFDIR "/rexecd.conf"
#define LISTEN_MAX		16
#define LISTEN_ADDR_MAX		256
#define ALLOW_MAX		64
#define USER_MAX		64
#define USERS_MAX		64
#define SUBSYS_MAX		16
#define SUBSYS_NAME_MAX		65	/* EXEC_SUBSYSTEM_MAX + NUL */
#define SUBSYS_CMD_MAX		1024
#define WORKERS_LIMIT		1024
/* The workers' own account, as sshd's privilege separation user; the
 * packages create it.  Where it is missing, nobody (with a warning). */
#define WORKER_USER		"rexecd"
#define WORKER_USER_FALLBACK	"nobody"

enum config_rlimit {
	RL_NOFILE,
	RL_NPROC,
	RL_AS,
	RL_CPU,
	RL_COUNT
};

struct config_rlim {
	bool		set;
	rlim_t		value;
};

/* subsystem = NAME COMMAND...: run by the account's shell, as sshd. */
struct config_subsys {
	char	name[SUBSYS_NAME_MAX];
	char	cmd[SUBSYS_CMD_MAX];
};

struct config {
	char		listen[LISTEN_MAX][LISTEN_ADDR_MAX];
	size_t		nlisten;
	bool		listen_default;	/* none configured: loopbacks */
	int		port;
	int		workers;
	int		max_workers;
	int		max_spare;
	long long	max_requests;
	int		request_timeout;
	int		shutdown_timeout;
	int		kill_grace;
	int		max_timeout;
	int		keepalive;	/* s to detect a vanished client, 0 off */
	int		stall_timeout;	/* s a client may take nothing, 0 off */
	mode_t		umask;		/* the commands' */
	char		token_file[PATH_MAX];
	char		token[TOKEN_MAX + 1];
	size_t		token_len;
	struct cidr	allow[ALLOW_MAX];
	size_t		nallow;
	struct cidr	status_allow[ALLOW_MAX];	/* none: nobody */
	size_t		nstatus_allow;
	bool		status_allow_set;	/* the file replaced the default */
	char		user[USER_MAX];
	char		worker_user[USER_MAX];
	bool		worker_drop;	/* started as root: workers switch */
	bool		worker_fallback;	/* WORKER_USER was missing */
	uid_t		worker_uid;
	gid_t		worker_gid;
	char		users[USERS_MAX][USER_MAX];	/* may be asked for */
	size_t		nusers;
	bool		users_any;			/* users = * */
	bool		allow_root;
	bool		allow_pty;	/* pty and login requests */
	bool		munge;		/* MUNGE credentials accepted */
	char		munge_socket[PATH_MAX];	/* munged's; "": libmunge's */
	bool		allow_forward;	/* connect requests */
	int		connect_timeout; /* s for a connect's target */
	enum log_level	log_level;
	int		startups_begin;		/* max_startups start:rate:full */
	int		startups_rate;
	int		startups_full;
	int		per_source_startups;	/* unauthenticated, 0: any */
	int		penalty_authfail;	/* seconds, per_source_penalty_* */
	int		penalty_timeout;
	int		penalty_min;
	int		penalty_max;
	struct config_rlim rlim[RL_COUNT];
	struct config_subsys subsys[SUBSYS_MAX];
	size_t		nsubsys;
};

/* The command of subsystem name, or NULL. */
const char	*config_subsystem(const struct config *, const char *name);

/* What the command line set; it wins over the file. */
struct config_opts {
	const char	*file;		/* NULL: the default, may be missing */
	const char	*listen[LISTEN_MAX];
	size_t		 nlisten;
	int		 port;		/* -1: not given */
	int		 workers;	/* -1: not given */
	const char	*token_file;
	const char	*default_user;	/* user, when the file names none */
	bool		 debug;
};

/*
 * Fills cf from defaults, the file and the options, and validates it.
 * Returns 0, or -1 with a one-line reason ("FILE:LINE: problem") in err.
 */
int	config_load(struct config *, const struct config_opts *,
	    char *err, size_t errlen);

#endif
