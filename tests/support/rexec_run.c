/* SPDX-License-Identifier: ISC */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"

#define ARGS_MAX	64

static void	 child_exec(const struct rexec_run *, const struct rexec_opts *,
		    const char *stdin_path, const char *const *argv);
static void	 redirect(int fd, const char *path, int flags);

char *
read_file_all(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	FILE *mem;
	char chunk[65536];

	if (f == NULL)
		return NULL;
	if ((mem = open_memstream(&buf, &len)) == NULL)
		abort();
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

const char *
rexec_addr(char *buf, size_t len, const struct rexecd_proc *d)
{
	snprintf(buf, len, "127.0.0.1:%d", d->port);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

void
rexec_spawn(struct rexec_run *r, const struct rexec_opts *opts,
    const char *const *argv)
{
	static const struct rexec_opts none;
	char in_path[PATH_MAX + 16];
	const char *stdin_path = "/dev/null";

	if (opts == NULL)
		opts = &none;
	memset(r, 0, sizeof(*r));
	r->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms :
	    REXEC_RUN_TIMEOUT_MS;
	r->no_load = opts->no_load;
	snprintf(r->dir, sizeof(r->dir), "/tmp/rexec-run.XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	snprintf(r->out_path, sizeof(r->out_path), "%s/out", r->dir);
	snprintf(r->err_path, sizeof(r->err_path), "%s/err", r->dir);
	if (opts->stdin_text != NULL) {
		snprintf(in_path, sizeof(in_path), "%s/in", r->dir);
		write_text(in_path, opts->stdin_text);
		stdin_path = in_path;
	} else if (opts->stdin_file != NULL) {
		stdin_path = opts->stdin_file;
	}
	r->pid = fork();
	cr_assert_neq(r->pid, -1, "fork: %s", strerror(errno));
	if (r->pid == 0)
		child_exec(r, opts, opts->stdin_closed ? NULL : stdin_path,
		    argv);
}

/* The runner may have signals blocked or ignored: rexec must start clean. */
static void
child_exec(const struct rexec_run *r, const struct rexec_opts *opts,
    const char *stdin_path, const char *const *argv)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	if (stdin_path != NULL)
		redirect(0, stdin_path, O_RDONLY);
	else
		close(0);
	redirect(1, r->out_path, O_WRONLY | O_CREAT | O_TRUNC);
	redirect(2, r->err_path, O_WRONLY | O_CREAT | O_TRUNC);
	for (const char *const *e = opts->env; e != NULL && *e != NULL; e++)
		putenv((char *)(uintptr_t)*e);
	execv(argv[0], (char *const *)(uintptr_t)argv);
	_exit(127);
}

static void
redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags, 0600);

	if (f == -1)
		_exit(126);
	if (f != fd) {
		dup2(f, fd);
		close(f);
	}
}

int
rexec_wait(struct rexec_run *r)
{
	struct rusage ru;
	pid_t got = 0;

	for (int waited = 0; waited <= r->timeout_ms && got == 0;
	    waited += 10) {
		got = wait4(r->pid, &r->status, WNOHANG, &ru);
		if (got == 0)
			test_sleep_ms(10);
	}
	if (got != r->pid) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, &r->status, 0);
		r->pid = 0;
		cr_assert_fail("%s did not finish within %d ms", r->dir,
		    r->timeout_ms);
	}
	r->pid = 0;
	r->maxrss_kb = ru.ru_maxrss;
	if (!r->no_load) {
		r->out = read_file_all(r->out_path, &r->out_len);
		r->err = read_file_all(r->err_path, &r->err_len);
		cr_assert_not_null(r->out);
		cr_assert_not_null(r->err);
	}
	return r->status;
}

int
rexec_run(struct rexec_run *r, const struct rexec_opts *opts, ...)
{
	const char *argv[ARGS_MAX];
	size_t n = 0;
	va_list ap;

	argv[n++] = rexec_bin();
	va_start(ap, opts);
	while (n < ARGS_MAX - 1 && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	rexec_spawn(r, opts, argv);
	return rexec_wait(r);
}

void
rexec_run_free(struct rexec_run *r)
{
	char in_path[PATH_MAX + 16];

	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
	}
	snprintf(in_path, sizeof(in_path), "%s/in", r->dir);
	unlink(in_path);
	unlink(r->out_path);
	unlink(r->err_path);
	rmdir(r->dir);
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int
rexec_out_count(const struct rexec_run *r, const char *needle)
{
	char *buf = read_file_all(r->out_path, NULL);
	int n = 0;

	for (char *p = buf; p != NULL && (p = strstr(p, needle)) != NULL;
	    p += strlen(needle))
		n++;
	free(buf);
	return n;
}

int
rexec_wait_out(const struct rexec_run *r, const char *needle, int n,
    int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if (rexec_out_count(r, needle) >= n)
			return 0;
		test_sleep_ms(10);
	}
	return -1;
}

void
write_random_file(const char *path, size_t size, uint64_t seed)
{
	uint64_t buf[8192], x = seed | 1;
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "cannot write %s", path);
	while (size > 0) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);
		for (size_t i = 0; i < sizeof(buf) / sizeof(buf[0]); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = x;
		}
		cr_assert_eq(fwrite(buf, 1, n, f), n);
		size -= n;
	}
	cr_assert_eq(fclose(f), 0);
}

int
files_equal(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	char ba[65536], bb[65536];
	size_t na, nb;
	int same = fa != NULL && fb != NULL;

	while (same) {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		same = na == nb && memcmp(ba, bb, na) == 0;
		if (na == 0)
			break;
	}
	if (fa != NULL)
		fclose(fa);
	if (fb != NULL)
		fclose(fb);
	return same;
}

void
sha256_file(const char *path, char out[65])
{
	char cmd[PATH_MAX + 32];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sha256sum < '%s'", path);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	cr_assert_not_null(fgets(out, 65, p));
	pclose(p);
	cr_assert_eq(strlen(out), 64);
}

void
assert_one_line(const struct rexec_run *r, const char *prefix,
    const char *contains)
{
	cr_assert_eq(WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1, 255,
	    "status %#x, stderr: %s", r->status, r->err);
	cr_assert_eq(strncmp(r->err, prefix, strlen(prefix)), 0,
	    "stderr '%s' does not start with '%s'", r->err, prefix);
	cr_assert(r->err_len > 0 && r->err[r->err_len - 1] == '\n' &&
	    strchr(r->err, '\n') == r->err + r->err_len - 1,
	    "stderr is not one line: '%s'", r->err);
	if (contains != NULL)
		cr_assert_not_null(strstr(r->err, contains),
		    "stderr '%s' lacks '%s'", r->err, contains);
	cr_assert_eq(r->out_len, 0, "stdout: '%s'", r->out);
}

struct rexecd_proc	suite_daemon;
char			suite_addr[64];

void
suite_daemon_start(void)
{
	rexecd_start(&suite_daemon, NULL, NULL);
	rexec_addr(suite_addr, sizeof(suite_addr), &suite_daemon);
}

void
suite_daemon_stop(void)
{
	rexecd_stop(&suite_daemon);
}
