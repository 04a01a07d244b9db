/* SPDX-License-Identifier: ISC */
/* The contract's error codes, carried by "error" frames. */
#ifndef REXEC_ERRCODE_H
#define REXEC_ERRCODE_H

enum err_code {
	ERR_NONE,
	ERR_BAD_FRAME,
	ERR_BAD_REQUEST,
	ERR_VERSION,
	ERR_AUTH,
	ERR_SPAWN,
	ERR_TIMEOUT,
	ERR_BUSY,
	ERR_INTERNAL,
	ERR_CONNECT,	/* a connect request's target refused or unreachable */
	ERR_CODE_COUNT
};

#define PROTO_ERRMSG_MAX	256

struct proto_error {
	enum err_code	code;
	char		message[PROTO_ERRMSG_MAX];
};

const char	*err_code_name(enum err_code);
int		 err_code_from_name(const char *, enum err_code *);
void		 proto_error_set(struct proto_error *, enum err_code,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* A bad request: what is wrong with it in e; returns -1. */
int		 proto_bad(struct proto_error *, const char *what);

#endif
