/* SPDX-License-Identifier: ISC */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	1024

static enum log_level	 log_level = LOG_LEVEL_INFO;
static const char	*log_tag = "master";

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static void	vlog(enum log_level, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_init(enum log_level level, const char *tag)
{
	log_level = level;
	log_tag = tag;
	/* A stuck log reader must never stall serving; a tty is left alone
	 * because it usually shares its file description with the shell. */
	if (!isatty(STDERR_FILENO)) {
		int fl = fcntl(STDERR_FILENO, F_GETFL);
		if (fl != -1)
			(void)fcntl(STDERR_FILENO, F_SETFL, fl | O_NONBLOCK);
	}
}

void
log_setlevel(enum log_level level)
{
	log_level = level;
}

void
log_settag(const char *tag)
{
	log_tag = tag;
}

int
log_level_from_name(const char *name, enum log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	    i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void
vlog(enum log_level level, int errnum, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n, m;
	ssize_t w;

	if (level > log_level)
		return;
	n = snprintf(line, sizeof(line), "%s: ", log_tag);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	n = (size_t)(n + m) >= sizeof(line) - 1 ? (int)sizeof(line) - 2 :
	    n + m;
	if (errnum != 0)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
		    strerror(errnum));
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line keeps lines from processes whole; failures
	 * (full pipe, closed journal) are dropped on purpose. */
	do {
		w = write(STDERR_FILENO, line, (size_t)n);
	} while (w == -1 && errno == EINTR);
}

#define LOG_FN(name, level, witherr)				\
void								\
name(const char *fmt, ...)					\
{								\
	int saved = errno;					\
	va_list ap;						\
								\
	va_start(ap, fmt);					\
	vlog(level, witherr ? saved : 0, fmt, ap);		\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, LOG_LEVEL_WARN, 1)
LOG_FN(log_warnx, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, saved, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LEVEL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
