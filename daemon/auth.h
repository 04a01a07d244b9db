/* SPDX-License-Identifier: ISC */
/* Who may run commands: an address allow-list and a shared token. */
#ifndef REXECD_AUTH_H
#define REXECD_AUTH_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/* IPv4 networks are kept as IPv4-mapped IPv6 ones (::ffff:a.b.c.d/96+n). */
struct cidr {
	unsigned char	addr[16];
	int		prefix;
};

int	auth_parse_cidr(const char *, struct cidr *);
/* Whether sa is in one of the networks (every address when none). */
bool	auth_addr_allowed(const struct cidr *allow, size_t nallow,
	    const struct sockaddr *sa);
/* Whether token is the one wanted (any when want_len is 0). */
bool	auth_token_ok(const char *want, size_t want_len, const char *token,
	    size_t len);
bool	auth_is_loopback(const struct sockaddr *);

#endif
