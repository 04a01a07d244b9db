/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "fail.h"
#include "forward.h"
#include "fwdlisten.h"
#include "fwdreq.h"
#include "mungecred.h"
#include "token.h"

static int	forward_stdio(const struct options *, struct host *);
static int	forward_listen(const struct options *, struct host *);
static int	detach(void);
static void	background_now(void);

static struct fwdlisten listeners;

int
forward_run(const struct options *o, struct host *h, char **words,
    int nwords)
{
	const struct fwdopts *f = &o->ssh.fwd;

	(void)words;
	if (f->stdio.host != NULL) {
		if (f->nlocal > 0 || nwords > 0)
			return usage_error("-W takes neither a command nor -L");
		return forward_stdio(o, h);
	}
	if (nwords > 0 || o->ssh.remote_command != NULL)
		return usage_error("-N takes no command");
	return forward_listen(o, h);
}

bool
forward_alone(const struct fwdopts *f)
{
	return f->stdio.host != NULL || f->no_command;
}

/*
 * -W: stdin and stdout are the connection, through the one engine as a
 * command's streams are; exit 0 once the far side has closed and all
 * it sent is written.
 */
static int
forward_stdio(const struct options *o, struct host *h)
{
	struct engine_opts eo = { .fanout = 1, .family = o->ssh.family,
	    .connect_timeout_ms = connect_timeout_ms(o),
	    .stdin_open = stdin_readable() };
	char *token = NULL;
	int status = EXIT_REXEC_FAILED;

	/* -M: the credential instead of the token, as for a command. */
	if (o->munge ? mungecred_open() == -1 :
	    token_load(o->token_file, &token) == -1)
		return status;
	eo.munge = o->munge;
	eo.exec = fwdreq_connect(o->ssh.fwd.stdio.host,
	    o->ssh.fwd.stdio.hostport, token);
	if (eo.exec == NULL)
		report("cannot encode the connect request");
	else
		status = engine_run(h, 1, &eo);
	json_decref(eo.exec);
	mungecred_close();
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	return status;
}

/*
 * -N -L: no command, only the forwards, in the engine with no host of
 * its own, until a signal; with -f in the background once listening.
 */
static int
forward_listen(const struct options *o, struct host *h)
{
	struct engine_opts eo = { .fanout = 1, .family = o->ssh.family,
	    .connect_timeout_ms = connect_timeout_ms(o), .munge = o->munge };
	int status = EXIT_REXEC_FAILED;

	/* -M: a credential per connection, the first one made now. */
	if (o->munge && mungecred_open() == -1)
		return status;
	if (forward_prepare(o, h, &eo, 0) == 0 &&
	    (!o->ssh.fwd.background || (status = detach()) == -1))
		status = engine_run(h, 0, &eo);
	forward_finish(&eo);
	mungecred_close();
	return status;
}

int
forward_prepare(const struct options *o, struct host *h,
    struct engine_opts *eo, int nwords)
{
	const struct fwdopts *f = &o->ssh.fwd;
	char *token = NULL;
	int r;

	if (f->background && !f->no_command && nwords == 0 &&
	    o->ssh.remote_command == NULL)
		return usage_error("-f needs a command or -N");
	if (f->background && !f->no_command) {
		/* As ssh: -f implies -n. */
		eo->stdin_open = false;
		eo->on_start = background_now;
	}
	if (f->nlocal == 0)
		return 0;
	/* -M: no token; conn.c adds a credential to each request. */
	if (!o->munge && token_load(o->token_file, &token) == -1)
		return -1;
	r = fwdlisten_open(&listeners, f, o->ssh.family, h, token);
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	eo->listen = listeners.l;
	eo->nlisten = listeners.n;
	return r;
}

void
forward_finish(struct engine_opts *eo)
{
	fwdlisten_close(&listeners);
	eo->listen = NULL;
	eo->nlisten = 0;
}

/*
 * -f -N: the parent exits 0 once the child, in a session of its own with
 * stdio on /dev/null, says it is ready (255 if it died first).  Returns
 * -1 in the child, the parent's status in the parent.
 */
static int
detach(void)
{
	int p[2], fd;
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return report("cannot go to the background: %s",
		    strerror(errno));
	if (pid > 0) {
		ssize_t n;
		close(p[1]);
		while ((n = read(p[0], &c, 1)) == -1 && errno == EINTR)
			;
		close(p[0]);
		return n == 1 ? 0 : EXIT_REXEC_FAILED;
	}
	close(p[0]);
	(void)setsid();
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) != -1) {
		for (int i = 0; i <= 2; i++)
			(void)dup2(fd, i);
		if (fd > 2)
			close(fd);
	}
	(void)!write(p[1], "", 1);
	close(p[1]);
	return -1;
}

/* -f with a command, once it started: the parent's exit returns the
 * shell, the child goes on in a session of its own. */
static void
background_now(void)
{
	pid_t pid = fork();

	if (pid == -1) {
		report("cannot go to the background: %s", strerror(errno));
		return;
	}
	if (pid > 0)
		_exit(0);
	(void)setsid();
}
