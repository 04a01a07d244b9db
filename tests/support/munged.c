/* SPDX-License-Identifier: ISC */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <munge.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "munged.h"
#include "rexecd_proc.h"

#define MUNGED_WAIT_MS	10000
#define KEY_LEN		1024

static void	write_key(const char *path);
static bool	answers(const char *sock);
static void	spawn(struct munged *);

void
munged_require(void)
{
	if (geteuid() != 0)
		cr_skip_test("munge: needs root (throw-away accounts, a "
		    "private munged, commands as other accounts)");
	if (access(MUNGED_BIN, X_OK) == -1)
		cr_skip_test("munge: no %s (Debian: munge)", MUNGED_BIN);
}

void
munged_start(struct munged *m)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->dir, sizeof(m->dir), "/tmp/munge-test.XXXXXX");
	cr_assert_not_null(mkdtemp(m->dir), "mkdtemp: %s", strerror(errno));
	/* The workers and the throw-away accounts reach the socket. */
	cr_assert_eq(chmod(m->dir, 0755), 0);
	snprintf(m->sock, sizeof(m->sock), "%s/sock", m->dir);
	snprintf(m->key, sizeof(m->key), "%s/key", m->dir);
	write_key(m->key);
	spawn(m);
	for (int waited = 0; !answers(m->sock); waited += 10) {
		int st;

		cr_assert_eq(waitpid(m->pid, &st, WNOHANG), 0,
		    "munged exited at start (its log: %s/log)", m->dir);
		cr_assert_lt(waited, MUNGED_WAIT_MS, "munged's socket never "
		    "answered");
		test_sleep_ms(10);
	}
}

static void
write_key(const char *path)
{
	unsigned char key[KEY_LEN];
	int fd;

	cr_assert_eq(getrandom(key, sizeof(key), 0), (ssize_t)sizeof(key));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
	cr_assert_neq(fd, -1, "%s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, key, sizeof(key)), (ssize_t)sizeof(key));
	close(fd);
}

static void
spawn(struct munged *m)
{
	char sock[128], key[128], pid[128], log[128], seed[128];
	int null;

	snprintf(sock, sizeof(sock), "--socket=%s", m->sock);
	snprintf(key, sizeof(key), "--key-file=%s", m->key);
	snprintf(pid, sizeof(pid), "--pid-file=%s/pid", m->dir);
	snprintf(log, sizeof(log), "--log-file=%s/log", m->dir);
	snprintf(seed, sizeof(seed), "--seed-file=%s/seed", m->dir);
	m->pid = fork();
	cr_assert_neq(m->pid, -1);
	if (m->pid == 0) {
		if ((null = open("/dev/null", O_RDWR)) != -1) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		/* Foreground: our child, stopped by its pid. */
		execl(MUNGED_BIN, MUNGED_BIN, "--foreground", "--force", sock,
		    key, pid, log, seed, (char *)NULL);
		_exit(127);
	}
}

/* Whether munged accepts connections on its socket yet. */
static bool
answers(const char *sock)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	cr_assert_neq(fd, -1);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

void
munged_stop(struct munged *m)
{
	char cmd[128];
	int st;

	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		for (int waited = 0; waitpid(m->pid, &st, WNOHANG) == 0;
		    waited += 10) {
			if (waited >= MUNGED_WAIT_MS) {
				kill(m->pid, SIGKILL);
				waitpid(m->pid, &st, 0);
				break;
			}
			test_sleep_ms(10);
		}
		m->pid = 0;
	}
	if (m->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", m->dir);
		if (system(cmd) != 0)
			cr_log_warn("cannot remove %s", m->dir);
		m->dir[0] = '\0';
	}
}

char *
munged_encode(const struct munged *m, int ttl, long long *encoded)
{
	munge_ctx_t ctx = munge_ctx_create();
	char *cred = NULL;
	munge_err_t r;

	cr_assert_not_null(ctx);
	cr_assert_eq(munge_ctx_set(ctx, MUNGE_OPT_SOCKET, m->sock),
	    EMUNGE_SUCCESS);
	if (ttl > 0)
		cr_assert_eq(munge_ctx_set(ctx, MUNGE_OPT_TTL, ttl),
		    EMUNGE_SUCCESS);
	r = munge_encode(&cred, ctx, NULL, 0);
	cr_assert_eq(r, EMUNGE_SUCCESS, "munge_encode: %s",
	    munge_ctx_strerror(ctx));
	/* Not before munged's stamp (an encoding context has none). */
	if (encoded != NULL)
		*encoded = (long long)time(NULL);
	munge_ctx_destroy(ctx);
	return cred;
}
