/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "token.h"

static int	 read_token_file(const char *, char **);

int
token_load(const char *file, char **token)
{
	const char *env;

	*token = NULL;
	if (file != NULL)
		return read_token_file(file, token);
	/* rexec-ssh has no -T of its own (ssh's -T is "no pty"). */
	if ((env = getenv("REXEC_TOKEN")) == NULL || env[0] == '\0') {
		if ((env = getenv("REXEC_TOKEN_FILE")) != NULL &&
		    env[0] != '\0')
			return read_token_file(env, token);
		return 0;
	}
	if ((*token = strdup(env)) == NULL) {
		report("out of memory");
		return -1;
	}
	return 0;
}

static int
read_token_file(const char *file, char **token)
{
	char buf[TOKEN_MAX + 1], err[256];

	if (token_file_read(file, buf, err, sizeof(err)) == -1) {
		report("token file %s: %s", file, err);
		return -1;
	}
	if ((*token = strdup(buf)) == NULL) {
		report("out of memory");
		return -1;
	}
	return 0;
}
