/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <bsd/string.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static void	addr_to_v6(const struct sockaddr *sa, unsigned char out[16]);
static bool	cidr_match(const struct cidr *c, const unsigned char a[16]);
static int	timingsafe_bcmp(const void *b1, const void *b2, size_t n);

int
auth_parse_cidr(const char *s, struct cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	struct in_addr a4;
	int max;
	long n;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf))
		return -1;
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		memcpy(c->addr, v4mapped, 12);
		memcpy(c->addr + 12, &a4, 4);
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		max = 128;
	} else
		return -1;
	c->prefix = 128;
	if (slash != NULL) {
		if (*slash == '\0')
			return -1;
		n = strtol(slash, &end, 10);
		if (*end != '\0' || n < 0 || n > max)
			return -1;
		c->prefix = (int)n + (128 - max);
	}
	return 0;
}

bool
auth_addr_allowed(const struct cidr *allow, size_t nallow,
    const struct sockaddr *sa)
{
	unsigned char a[16];

	if (nallow == 0)
		return true;
	addr_to_v6(sa, a);
	for (size_t i = 0; i < nallow; i++)
		if (cidr_match(&allow[i], a))
			return true;
	return false;
}

static void
addr_to_v6(const struct sockaddr *sa, unsigned char out[16])
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;
		memcpy(out, v4mapped, 12);
		memcpy(out + 12, &sin->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)sa;
		memcpy(out, &sin6->sin6_addr, 16);
	}
}

static bool
cidr_match(const struct cidr *c, const unsigned char a[16])
{
	int full = c->prefix / 8, rest = c->prefix % 8;

	if (memcmp(c->addr, a, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (a[full] & mask);
}

bool
auth_token_ok(const char *want, size_t want_len, const char *token,
    size_t len)
{
	if (want_len == 0)
		return true;
	if (token == NULL)
		return false;
	/* Compare in constant time; a length mismatch still compares once. */
	if (len != want_len) {
		(void)timingsafe_bcmp(want, want, want_len);
		return false;
	}
	return timingsafe_bcmp(want, token, len) == 0;
}

/* OpenBSD's timingsafe_bcmp, which neither glibc nor Debian's libbsd has. */
static int
timingsafe_bcmp(const void *b1, const void *b2, size_t n)
{
	const volatile unsigned char *p1 = b1, *p2 = b2;
	unsigned char ret = 0;

	for (; n > 0; n--)
		ret |= *p1++ ^ *p2++;
	return ret != 0;
}

bool
auth_is_loopback(const struct sockaddr *sa)
{
	unsigned char a[16];
	static const unsigned char v6lo[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};

	if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
		return false;
	addr_to_v6(sa, a);
	if (memcmp(a, v6lo, 16) == 0)
		return true;
	return memcmp(a, v4mapped, 12) == 0 && a[12] == 127;
}
