/* SPDX-License-Identifier: ISC */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexecd_proc.h"

#define START_TIMEOUT_MS	10000
#define STOP_TIMEOUT_MS		40000

const char *
rexecd_bin(void)
{
	const char *p = getenv("REXECD_BIN");
	return p ? p : "build/rexecd";
}

const char *
rexec_bin(void)
{
	const char *p = getenv("REXEC_BIN");
	return p ? p : "build/rexec";
}

void
test_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

char *
rexecd_log(const struct rexecd_proc *d)
{
	FILE *f = fopen(d->log, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;

	if (mem == NULL)
		abort();
	if (f != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			fwrite(chunk, 1, n, mem);
		fclose(f);
	}
	fclose(mem);
	return buf;
}

int
rexecd_wait_log(const struct rexecd_proc *d, const char *needle,
    int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		char *log = rexecd_log(d);
		int found = strstr(log, needle) != NULL;
		free(log);
		if (found)
			return 0;
		test_sleep_ms(10);
	}
	return -1;
}

static int
parse_port(const struct rexecd_proc *d)
{
	char *log = rexecd_log(d);
	char *p = strstr(log, "listening on ");
	int port = -1;

	if (p != NULL && (p = strstr(p, " port ")) != NULL)
		port = atoi(p + 6);
	free(log);
	return port;
}

static void
write_conf(struct rexecd_proc *d, const char *conf_text)
{
	FILE *f = fopen(d->conf, "w");
	cr_assert_not_null(f, "cannot write %s", d->conf);
	if (conf_text != NULL)
		fputs(conf_text, f);
	fclose(f);
}

static void
exec_daemon(const struct rexecd_proc *d, const char *const *args,
    pid_t test)
{
	const char *argv[64];
	size_t n = 0;
	int fd;

	/* A test that fails an assertion ends before its rexecd_stop: the
	 * daemon ends with it instead of living on. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != test)
		_exit(125);
	argv[n++] = rexecd_bin();
	for (; args != NULL && *args != NULL && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd == -1)
		_exit(126);
	dup2(fd, 2);
	fd = open("/dev/null", O_RDWR);
	dup2(fd, 0);
	dup2(fd, 1);
	execv(argv[0], (char **)(void *)argv);
	_exit(127);
}

static void
prepare_dir(struct rexecd_proc *d, const char *conf_text)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/rexecd-test.XXXXXX");
	cr_assert_not_null(mkdtemp(d->dir));
	if (snprintf(d->log, sizeof(d->log), "%s/rexecd.log", d->dir) >=
	    (int)sizeof(d->log) || snprintf(d->conf, sizeof(d->conf),
	    "%s/rexecd.conf", d->dir) >= (int)sizeof(d->conf))
		cr_assert_fail("path too long");
	write_conf(d, conf_text);
}

static int
spawn_and_wait(struct rexecd_proc *d, const char *const *args)
{
	pid_t test = getpid();

	d->pid = fork();
	cr_assert_neq(d->pid, -1);
	if (d->pid == 0)
		exec_daemon(d, args, test);
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
		if ((d->port = parse_port(d)) > 0)
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
			d->pid = 0;
			return -1;
		}
		test_sleep_ms(10);
	}
	return -1;
}

int
rexecd_start_args(struct rexecd_proc *d, const char *conf_text,
    const char *const *args)
{
	prepare_dir(d, conf_text);
	return spawn_and_wait(d, args);
}

void
rexecd_start(struct rexecd_proc *d, const char *conf_text,
    const char *const *extra)
{
	const char *args[64];
	size_t n = 0;

	prepare_dir(d, conf_text);
	args[n++] = "-f";
	args[n++] = d->conf;
	args[n++] = "-p";
	args[n++] = "0";
	args[n++] = "-l";
	args[n++] = "127.0.0.1";
	for (; extra != NULL && *extra != NULL && n < 63; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	if (spawn_and_wait(d, args) != 0) {
		char *log = rexecd_log(d);
		cr_assert_fail("rexecd did not start; log:\n%s", log);
	}
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

int
rexecd_stop(struct rexecd_proc *d)
{
	int status = -1;

	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
			if (waitpid(d->pid, &status, WNOHANG) == d->pid)
				break;
			test_sleep_ms(10);
		}
		if (status == -1) {
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
		}
		d->pid = 0;
	}
	if (d->dir[0] != '\0' && getenv("REXEC_TEST_KEEP") == NULL)
		nftw(d->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return status;
}

int
rexecd_connect(const struct rexecd_proc *d)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	sin.sin_port = htons((unsigned short)d->port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The same FNV-1a as every test computes it. */
uint64_t
test_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

int
rexecd_once(const char *const *args, char **err)
{
	char path[] = "/tmp/rexecd-once.XXXXXX";
	const char *argv[32];
	size_t n = 0;
	int fd = mkstemp(path), status = -1;
	pid_t pid;
	FILE *f;

	cr_assert_neq(fd, -1);
	argv[n++] = rexecd_bin();
	for (; *args != NULL && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char **)(void *)argv);
		_exit(127);
	}
	close(fd);
	for (int waited = 0; waited < 10000; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		test_sleep_ms(10);
	}
	if (status == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		cr_assert_fail("rexecd %s did not exit", argv[1]);
	}
	f = fopen(path, "r");
	*err = calloc(1, 8192);
	if (fread(*err, 1, 8191, f) == 0)
		(*err)[0] = '\0';
	fclose(f);
	unlink(path);
	return status;
}
