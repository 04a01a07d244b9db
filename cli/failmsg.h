/* SPDX-License-Identifier: ISC */
/*
 * The text of rexec's messages.  Foreign text (a server's error message,
 * a host name from a list, what a daemon's status holds) reaches the
 * terminal only through text_safe: these put it there, and say once
 * whether the locale's UTF-8 may pass (TEXT_UTF8).
 */
#ifndef REXEC_CLI_FAILMSG_H
#define REXEC_CLI_FAILMSG_H

#include <stdarg.h>
#include <stddef.h>

/* TEXT_UTF8 when the locale's characters are UTF-8, else 0. */
int	failmsg_flags(void);
/* fmt formatted, then made safe, in dst. */
void	failmsg_vreason(char *dst, size_t len, int flags, const char *fmt,
	    va_list ap) __attribute__((format(printf, 4, 0)));
/* "rexec: HOST: reason\n" ("rexec: reason\n" when host is NULL) in dst,
 * host made safe, reason taken as made safe already; its length. */
size_t	failmsg_line(char *dst, size_t len, int flags, const char *host,
	    const char *reason);

#endif
