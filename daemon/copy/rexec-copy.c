/* SPDX-License-Identifier: ISC */
/*
 * rexec-copy: rexecd's copy subsystems, run as the account.
 *   rexec-copy in:  the tar stream on stdin extracted into $REXEC_COPY_DIR
 *   rexec-copy out: $REXEC_COPY_SRC0, SRC1... as a tar stream on stdout
 * (rexec-protocol(7), THE COPY SUBSYSTEMS).  A failure is one line on
 * stderr, which reaches the client's failure summary, and exit 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_pack.h"
#include "archive_unpack.h"
#include "copyenc.h"
#include "fdio.h"
#include "textsafe.h"

#define OUT_CHUNK	(256 * 1024)

static void	 on_signal(int);
static int	 copy_in(void);
static int	 copy_out(void);
static char	*getenv_decoded(const char *);
static int	 fail(const char *, ...) __attribute__((format(printf, 1, 2)));

int
main(int argc, char **argv)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	struct sigaction sa = { .sa_handler = on_signal };

	/* A closed stdout is a failure to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	/* Ended by rexecd (the client went away): the read or write under
	 * way fails with EINTR, and the file being written is removed. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
	if (argc == 2 && strcmp(argv[1], "in") == 0)
		return copy_in();
	if (argc == 2 && strcmp(argv[1], "out") == 0)
		return copy_out();
	fprintf(stderr, "usage: rexec-copy in|out\n");
	return 2;
}

static void
on_signal(int signo)
{
	(void)signo;
}

static int
copy_in(void)
{
	struct unpack_names any = { 0 };
	char err[1024], safe[TEXTSAFE_SIZE(256)];
	char *dir = getenv_decoded(COPY_ENV_DIR);
	const char *pre = getenv(COPY_ENV_PRESERVE);

	if (dir == NULL)
		return fail("no %s", COPY_ENV_DIR);
	if (chdir(dir) == -1) {
		text_safe_str(safe, sizeof(safe), dir, TEXT_UTF8);
		free(dir);
		return fail("%s: %s", safe, strerror(errno));
	}
	free(dir);
	if (unpack_fd(0, &any, pre != NULL && strcmp(pre, "1") == 0 ?
	    UNPACK_PRESERVE : 0, err, sizeof(err)) == -1)
		return fail("%s", err);
	return 0;
}

static int
copy_out(void)
{
	char *srcs[COPY_SRC_MAX], var[64], err[1536];
	unsigned char *buf = malloc(OUT_CHUNK);
	struct pack *p = NULL;
	size_t n = 0;
	ssize_t got = -1;

	for (; n < COPY_SRC_MAX; n++) {
		snprintf(var, sizeof(var), "%s%zu", COPY_ENV_SRC, n);
		if ((srcs[n] = getenv_decoded(var)) == NULL)
			break;
	}
	if (buf == NULL)
		snprintf(err, sizeof(err), "out of memory");
	else if (n == 0)
		snprintf(err, sizeof(err), "no %s0", COPY_ENV_SRC);
	else if ((p = pack_new(srcs, n, err, sizeof(err))) != NULL) {
		while ((got = pack_fill(p, buf, OUT_CHUNK)) > 0)
			if (write_full(1, buf, (size_t)got) == -1) {
				snprintf(err, sizeof(err), "stdout: %s",
				    strerror(errno));
				break;
			}
		if (got == -1)
			snprintf(err, sizeof(err), "%s", pack_error(p));
	}
	pack_free(p);
	free(buf);
	while (n > 0)
		free(srcs[--n]);
	return got == 0 ? 0 : fail("%s", err);
}

/* NULL when unset or not our encoding. */
static char *
getenv_decoded(const char *name)
{
	const char *v = getenv(name);
	char *s;

	if (v == NULL || (s = strdup(v)) == NULL)
		return NULL;
	if (copyenc_decode(s) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("rexec-copy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}
