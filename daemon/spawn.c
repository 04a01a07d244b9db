#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <bsd/string.h>
#include <bsd/unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io.h"
#include "log.h"
#include "spawn.h"

#define PIPE_SIZE	(1024 * 1024)
#define PATH_USER	"/usr/local/bin:/usr/bin:/bin"
#define PATH_ROOT	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:" \
			"/sbin:/bin"

enum stage {
	STAGE_SETUP,
	STAGE_PRIV,
	STAGE_CHDIR,
	STAGE_EXEC
};

/* What the child reports through the status pipe when it cannot exec. */
struct spawn_status {
	int	stage;
	int	err;
};

struct account {
	uid_t	uid;
	gid_t	gid;
	bool	drop;		/* switch to uid/gid before exec */
	char	name[USER_MAX];
	char	home[PATH_MAX];
	char	shell[PATH_MAX];
};

struct pipes {
	int	in[2], out[2], err[2], status[2];
};

static const int rlimit_res[RL_COUNT] = {
	[RL_NOFILE] = RLIMIT_NOFILE,
	[RL_NPROC] = RLIMIT_NPROC,
	[RL_AS] = RLIMIT_AS,
	[RL_CPU] = RLIMIT_CPU,
};

static int
account_get(const struct config *cf, struct account *a)
{
	struct passwd *pw;

	memset(a, 0, sizeof(*a));
	pw = cf->user[0] != '\0' ? getpwnam(cf->user) : getpwuid(geteuid());
	if (pw == NULL) {
		if (cf->user[0] != '\0')
			return -1;
		a->uid = geteuid();
		a->gid = getegid();
		snprintf(a->name, sizeof(a->name), "%u", (unsigned)a->uid);
		strlcpy(a->home, "/", sizeof(a->home));
		strlcpy(a->shell, "/bin/sh", sizeof(a->shell));
		return 0;
	}
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->drop = cf->user[0] != '\0' && geteuid() == 0;
	strlcpy(a->name, pw->pw_name, sizeof(a->name));
	strlcpy(a->home, pw->pw_dir, sizeof(a->home));
	strlcpy(a->shell, pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh",
	    sizeof(a->shell));
	return 0;
}

static void	child_fail(int fd, enum stage, int err)
		    __attribute__((noreturn));
static void	child_run(const struct config *, const struct exec_req *,
		    const struct account *, const struct pipes *)
		    __attribute__((noreturn));

static void
child_fail(int fd, enum stage stage, int err)
{
	struct spawn_status st = { stage, err };

	if (write(fd, &st, sizeof(st)) == -1) {
		/* The worker then sees EOF: it cannot be helped. */
	}
	/* _exit: the worker's atexit handlers and stdio are not ours. */
	_exit(127);
}

static void
child_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int
child_fds(const struct exec_req *req, const struct pipes *p)
{
	int in = req->stdin_open ? p->in[0] : open("/dev/null", O_RDONLY);

	if (in == -1 || dup2(in, 0) == -1 || dup2(p->out[1], 1) == -1 ||
	    dup2(p->err[1], 2) == -1)
		return -1;
	if (p->status[1] != 3 && dup3(p->status[1], 3, O_CLOEXEC) == -1)
		return -1;
	closefrom(4);
	return 0;
}

static int
child_privs(const struct account *a)
{
	if (!a->drop)
		return 0;
	if (initgroups(a->name, a->gid) == -1 || setgid(a->gid) == -1 ||
	    setuid(a->uid) == -1)
		return -1;
	/* Paranoia: regaining root must be impossible now. */
	if (a->uid != 0 && setuid(0) != -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
child_env(const struct exec_req *req, const struct account *a)
{
	if (clearenv() != 0 ||
	    setenv("HOME", a->home, 1) == -1 ||
	    setenv("USER", a->name, 1) == -1 ||
	    setenv("LOGNAME", a->name, 1) == -1 ||
	    setenv("SHELL", a->shell, 1) == -1 ||
	    setenv("PATH", a->uid == 0 ? PATH_ROOT : PATH_USER, 1) == -1)
		return -1;
	for (size_t i = 0; i < req->envc; i++)
		if (putenv(req->env[i]) != 0)
			return -1;
	return 0;
}

static void
child_run(const struct config *cf, const struct exec_req *req,
    const struct account *a, const struct pipes *p)
{
	const char *dir = req->cwd != NULL ? req->cwd : a->home;

	child_signals();
	if (setsid() == -1 || child_fds(req, p) == -1)
		child_fail(3, STAGE_SETUP, errno);
	for (int i = 0; i < RL_COUNT; i++) {
		struct rlimit rl = { cf->rlim[i].value, cf->rlim[i].value };
		if (cf->rlim[i].set && setrlimit(rlimit_res[i], &rl) == -1)
			child_fail(3, STAGE_SETUP, errno);
	}
	if (child_privs(a) == -1)
		child_fail(3, STAGE_PRIV, errno);
	if (child_env(req, a) == -1)
		child_fail(3, STAGE_SETUP, errno);
	if (chdir(dir) == -1) {
		if (req->cwd != NULL)
			child_fail(3, STAGE_CHDIR, errno);
		if (chdir("/") == -1)
			child_fail(3, STAGE_CHDIR, errno);
	}
	if (req->cmd != NULL)
		execl("/bin/sh", "sh", "-c", req->cmd, (char *)NULL);
	else
		execvp(req->argv[0], req->argv);
	child_fail(3, STAGE_EXEC, errno);
}

static void
close_pipe(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] != -1) {
			close(p[i]);
			p[i] = -1;
		}
}

static void
close_pipes(struct pipes *p)
{
	close_pipe(p->in);
	close_pipe(p->out);
	close_pipe(p->err);
	close_pipe(p->status);
}

static int
open_pipes(const struct exec_req *req, struct pipes *p)
{
	memset(p, -1, sizeof(*p));
	if ((req->stdin_open && pipe2(p->in, O_CLOEXEC) == -1) ||
	    pipe2(p->out, O_CLOEXEC) == -1 || pipe2(p->err, O_CLOEXEC) == -1 ||
	    pipe2(p->status, O_CLOEXEC) == -1) {
		close_pipes(p);
		return -1;
	}
	/* Bigger pipes mean fewer wakeups; the per-user quota may refuse. */
	(void)fcntl(p->out[0], F_SETPIPE_SZ, PIPE_SIZE);
	(void)fcntl(p->err[0], F_SETPIPE_SZ, PIPE_SIZE);
	if (p->in[1] != -1)
		(void)fcntl(p->in[1], F_SETPIPE_SZ, PIPE_SIZE);
	return 0;
}

static void
describe(const struct exec_req *req, const struct account *a,
    const struct spawn_status *st, struct proto_error *e)
{
	const char *prog = req->cmd != NULL ? "/bin/sh" : req->argv[0];

	switch (st->stage) {
	case STAGE_CHDIR:
		proto_error_set(e, ERR_SPAWN, "cannot change directory to %s: "
		    "%s", req->cwd, strerror(st->err));
		break;
	case STAGE_EXEC:
		if (st->err == ENOENT)
			proto_error_set(e, ERR_SPAWN, "%s: command not found",
			    prog);
		else
			proto_error_set(e, ERR_SPAWN, "%s: %s", prog,
			    strerror(st->err));
		break;
	case STAGE_PRIV:
		proto_error_set(e, ERR_SPAWN, "cannot switch to user %s: %s",
		    a->name, strerror(st->err));
		break;
	default:
		proto_error_set(e, ERR_SPAWN, "cannot set up the command: %s",
		    strerror(st->err));
		break;
	}
}

/* Reads the child's exec status: 0 when exec succeeded (EOF), else -1. */
static int
exec_status(int fd, struct spawn_status *st)
{
	ssize_t n;

	do {
		n = read(fd, st, sizeof(*st));
	} while (n == -1 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof(*st)) {
		st->stage = STAGE_SETUP;
		st->err = n == -1 ? errno : EIO;
	}
	return -1;
}

static void
parent_ends(struct pipes *p, struct child *ch)
{
	ch->in_fd = p->in[1];
	ch->out_fd = p->out[0];
	ch->err_fd = p->err[0];
	p->in[1] = p->out[0] = p->err[0] = -1;
	if (ch->in_fd != -1)
		set_nonblock(ch->in_fd, 1);
	set_nonblock(ch->out_fd, 1);
	set_nonblock(ch->err_fd, 1);
}

int
spawn_command(const struct config *cf, const struct exec_req *req,
    struct child *ch, struct proto_error *e)
{
	struct spawn_status st;
	struct account a;
	struct pipes p;
	pid_t pid;

	if (account_get(cf, &a) == -1) {
		proto_error_set(e, ERR_INTERNAL, "no such user %s", cf->user);
		return -1;
	}
	if (open_pipes(req, &p) == -1) {
		proto_error_set(e, ERR_SPAWN, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		proto_error_set(e, ERR_SPAWN, "fork: %s", strerror(errno));
		close_pipes(&p);
		return -1;
	}
	if (pid == 0)
		child_run(cf, req, &a, &p);
	if (p.in[0] != -1) {
		close(p.in[0]);
		p.in[0] = -1;
	}
	close(p.out[1]);
	close(p.err[1]);
	close(p.status[1]);
	p.out[1] = p.err[1] = p.status[1] = -1;
	if (exec_status(p.status[0], &st) == -1) {
		describe(req, &a, &st, e);
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		close_pipes(&p);
		return -1;
	}
	close_pipe(p.status);
	parent_ends(&p, ch);
	ch->pid = pid;
	/* -1 is fine: the worker's SIGCHLD covers it (e.g. valgrind). */
	ch->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	return 0;
}
