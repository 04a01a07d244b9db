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

/* AF_INET or AF_INET6 restricts address_connect to that family (-4, -6). */
void	address_set_family(int);

/*
 * Tries every address the host resolves to, each bounded by timeout_ms.
 * Returns a connected non-blocking socket, or -1 after printing the failure.
 */
int	address_connect(const char *host, const char *port, int timeout_ms);

#endif
