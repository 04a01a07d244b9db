/* SPDX-License-Identifier: ISC */
/* The shared token: from -T FILE, else from the environment REXEC_TOKEN. */
#ifndef REXEC_CLI_TOKEN_H
#define REXEC_CLI_TOKEN_H

#include "tokenfile.h"

/*
 * Sets *token to a malloc'd token, or to NULL when none is configured.
 * Returns 0, or -1 after printing why the token cannot be used.
 */
int	token_load(const char *file, char **token);

#endif
