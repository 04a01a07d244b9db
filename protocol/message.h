/* SPDX-License-Identifier: ISC */
/*
 * Typed frames: validation of decoded headers into C structs, and
 * builders of the headers each side sends.  Validation enforces the
 * contract and the limits below; nothing from the peer is trusted.
 */
#ifndef REXEC_MESSAGE_H
#define REXEC_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "errcode.h"
#include "frame.h"

#define EXEC_ARGV_MAX		4096
#define EXEC_ENV_MAX		1024
#define EXEC_TIMEOUT_MAX	(366.0 * 24 * 3600)
/* A terminal type name (terminfo names are short). */
#define PTY_TERM_MAX		128
#define PTY_DIM_MAX		65535

/* A terminal's size: rows and cols 1 to PTY_DIM_MAX. */
struct winsize_req {
	unsigned	rows;
	unsigned	cols;
};

/* "pty" of exec: run on a new pseudo-terminal of this type and size. */
struct pty_req {
	bool			 on;
	const char		*term;	/* NULL: none sent */
	struct winsize_req	 size;
};

/* A MUNGE credential is base64 text; with no payload, about 130 bytes. */
#define EXEC_MUNGE_MAX		4096

/* The longest subsystem name. */
#define EXEC_SUBSYSTEM_MAX	64

struct exec_req {
	int		  version;
	const char	 *cmd;		/* NULL in argv mode */
	char		**argv;		/* NULL-terminated; NULL in cmd mode */
	size_t		  argc;
	char		**env;		/* "NAME=VALUE", NULL-terminated */
	size_t		  envc;
	const char	 *cwd;		/* NULL: the account's home */
	double		  timeout;	/* seconds; 0: none */
	bool		  stdin_open;
	const char	 *token;	/* NULL: none sent */
	size_t		  token_len;
	const char	 *user;		/* NULL: the daemon's default account */
	const char	 *munge;	/* a MUNGE credential; NULL: none */
	bool		  login;	/* the account's login shell; no cmd */
	bool		  shell;	/* cmd by the account's shell, as sshd */
	const char	 *subsystem;	/* a configured subsystem's name */
	struct pty_req	  pty;
	json_t		 *hdr;		/* owns the strings above */
};

struct exit_status {
	bool		exited;		/* true: code; false: signal */
	int		code;
	int		signal;
	bool		timed_out;
	long long	duration_ms;
};

/* Each returns 0, or -1 with e filled (code and message). */
int	msg_parse_exec(const struct frame *, struct exec_req *,
	    struct proto_error *e);
int	msg_parse_signal(const struct frame *, int *signo,
	    struct proto_error *e);
int	msg_parse_started(const struct frame *, pid_t *,
	    struct proto_error *e);
/* Whether a (valid) started frame says the command has a pty. */
bool	msg_started_pty(const struct frame *);
int	msg_parse_winsize(const struct frame *, struct winsize_req *,
	    struct proto_error *e);
int	msg_parse_exit(const struct frame *, struct exit_status *,
	    struct proto_error *e);
int	msg_parse_error(const struct frame *, struct proto_error *out,
	    struct proto_error *e);
void	exec_req_free(struct exec_req *);
/* The optional "munge" member of an exec, connect or status request:
 * 0 (*munge NULL when absent), or -1 with e filled. */
int	msg_parse_munge(json_t *hdr, const char **munge, struct proto_error *e);
/* Who asks, as exec and connect carry it: "token", "user" (non-empty, no
 * NUL) and "munge".  0, or -1 with e filled. */
int	msg_parse_ids(json_t *hdr, const char **token, size_t *token_len,
	    const char **user, const char **munge, struct proto_error *e);

/* Builders: a new header object (NULL on ENOMEM). */
json_t	*msg_exec(const struct exec_req *);
json_t	*msg_signal(int signo);
json_t	*msg_started(pid_t, bool pty);
json_t	*msg_winsize(const struct winsize_req *);
json_t	*msg_exit(const struct exit_status *);
json_t	*msg_error(enum err_code, const char *message);

#endif
