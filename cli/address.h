/* SPDX-License-Identifier: ISC */
/*
 * Where to connect: "host", "host:port", "[v6]:port" or a bare IPv6, each
 * with an optional "user@" in front.
 */
#ifndef REXEC_CLI_ADDRESS_H
#define REXEC_CLI_ADDRESS_H

#define REXEC_DEFAULT_PORT	"5120"

struct address {
	char	*user;		/* NULL when the argument names none */
	char	*host;
	char	*port;		/* NULL when the argument names none */
};

/* 0, or -1 after printing why the argument is not an address. */
int	address_parse(const char *arg, struct address *);
void	address_free(struct address *);

#endif
