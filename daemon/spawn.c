/* SPDX-License-Identifier: ISC */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <bsd/string.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "cmdgroup.h"
#include "fdio.h"
#include "log.h"
#include "pty.h"
#include "spawn.h"
#include "textsafe.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define PIPE_SIZE	(1024 * 1024)
/* The child's stack: PATH_MAX for the search, and little else. */
#define CHILD_STACK	(64 * 1024)
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

/* With a pty, in, out and err are unused: master and slave instead. */
struct pipes {
	int	in[2], out[2], err[2], status[2];
	int	master, slave;
};

/*
 * Everything the child needs, prepared by the parent.  The child runs
 * in the parent's memory (CLONE_VM) while the parent waits (CLONE_VFORK):
 * it must not allocate, take locks or change what the parent uses, so it
 * only makes system calls with what is here.
 */
struct plan {
	const struct config	*cf;
	const struct exec_req	*req;
	const struct account	*a;
	const struct pipes	*p;
	char			**envp;
	const char		*path;		/* where argv[0] is looked for */
	char			**sh_argv;	/* a script without #! */
	char			 *login_argv[2]; /* "-sh", for login */
	char			  login_arg0[PATH_MAX + 2];
	const char		 *subsys_cmd;	/* the subsystem's command */
};

/* The variables every command gets; the request's may replace them. */
enum { ENV_HOME, ENV_USER, ENV_LOGNAME, ENV_SHELL, ENV_PATH, ENV_BASE };

struct env_base {
	char	home[PATH_MAX + 8];
	char	user[USER_MAX + 8];
	char	logname[USER_MAX + 8];
	char	shell[PATH_MAX + 8];
	char	path[sizeof(PATH_ROOT) + 8];
	char	term[PTY_TERM_MAX + 8];
};

static const int rlimit_res[RL_COUNT] = {
	[RL_NOFILE] = RLIMIT_NOFILE,
	[RL_NPROC] = RLIMIT_NPROC,
	[RL_AS] = RLIMIT_AS,
	[RL_CPU] = RLIMIT_CPU,
};

/* Signals whose disposition is not the default in the master (ignored, as
 * SIGPIPE): the child resets only these, not all 64. */
static int	reset_sig[NSIG];
static int	nreset_sig = -1;

static int	spawn_plan(const struct config *cf, const struct exec_req *req,
	    struct plan *pl, struct env_base *base, struct proto_error *e);
static char **build_env(const struct exec_req *req, const struct account *a,
	    struct env_base *b);
static bool	env_is(const char *var, const char *name);
static char **build_sh_argv(const struct exec_req *req);
static void	plan_login(struct plan *pl);
static int	open_pipes(const struct exec_req *req, const struct account *a,
	    struct pipes *p);
static void	close_pipes(struct pipes *p);
static void	close_pipe(int p[2]);
static void	plan_free(struct plan *pl);
static int	spawn_with(struct plan *pl, struct pipes *p, struct child *ch,
	    struct proto_error *e);
static pid_t	start_child(struct plan *pl);
static void *child_stack(void);
static void	find_reset_signals(void);
static int	exec_status(int fd, struct spawn_status *st);
static void	describe(const struct exec_req *req, const struct account *a,
	    const struct spawn_status *st, struct proto_error *e);
static void	close_child_ends(struct pipes *p);
static int	parent_ends(struct pipes *p, struct child *ch);
static void	child_fail(int fd, enum stage, int err)
		    __attribute__((noreturn));
static void	child_signals(void);
static void	child_closefrom(int lowfd);
static int	child_fds(const struct exec_req *req, const struct pipes *p);
static void	child_exec_file(const struct plan *pl, const char *path);
static void	child_exec_search(const struct plan *pl);
static int	child_main(void *arg);

int
spawn_command(const struct config *cf, const struct exec_req *req,
    struct child *ch, struct proto_error *e)
{
	struct env_base base;
	struct pipes p;
	struct plan pl;
	int r;

	if (spawn_plan(cf, req, &pl, &base, e) == -1)
		return -1;
	if (open_pipes(req, pl.a, &p) == -1) {
		proto_error_set(e, ERR_SPAWN, "%s: %s", req->pty.on ?
		    "pty" : "pipe", strerror(errno));
		plan_free(&pl);
		return -1;
	}
	pl.p = &p;
	r = spawn_with(&pl, &p, ch, e);
	if (r == -1)
		close_pipes(&p);
	plan_free(&pl);
	return r;
}

static int
spawn_plan(const struct config *cf, const struct exec_req *req,
    struct plan *pl, struct env_base *base, struct proto_error *e)
{
	const char *why;

	memset(pl, 0, sizeof(*pl));
	pl->cf = cf;
	pl->req = req;
	if (req->subsystem != NULL &&
	    (pl->subsys_cmd = config_subsystem(cf, req->subsystem)) == NULL) {
		char name[4 * EXEC_SUBSYSTEM_MAX + 1];

		text_safe_str(name, sizeof(name), req->subsystem, 0);
		proto_error_set(e, ERR_SPAWN, "no subsystem %s", name);
		return -1;
	}
	if ((pl->a = account_get(cf, req->user, &why)) == NULL) {
		/* Checked with the request: only a change since then. */
		if (req->user != NULL)
			proto_error_set(e, ERR_AUTH, ACCOUNT_REFUSED);
		else
			proto_error_set(e, ERR_INTERNAL, "no such user %s",
			    cf->user);
		return -1;
	}
	if ((pl->envp = build_env(req, pl->a, base)) == NULL ||
	    (req->argv != NULL &&
	    (pl->sh_argv = build_sh_argv(req)) == NULL)) {
		free(pl->envp);
		proto_error_set(e, ERR_INTERNAL, "out of memory");
		return -1;
	}
	pl->path = pl->envp[ENV_PATH] + strlen("PATH=");
	if (req->login || req->shell || req->subsystem != NULL)
		plan_login(pl);
	return 0;
}

/* As login(1) starts it: argv[0] is the shell's name with a '-'. */
static void
plan_login(struct plan *pl)
{
	const char *base = strrchr(pl->a->shell, '/');

	base = base != NULL ? base + 1 : pl->a->shell;
	snprintf(pl->login_arg0, sizeof(pl->login_arg0), "-%s", base);
	pl->login_argv[0] = pl->login_arg0;
	pl->login_argv[1] = NULL;
}

/* The command's environment: the base (HOME, USER, LOGNAME, SHELL,
 * PATH) first, a request variable replacing the base one of its name. */
static char **
build_env(const struct exec_req *req, const struct account *a,
    struct env_base *b)
{
	static const char *const names[ENV_BASE] = {
		"HOME", "USER", "LOGNAME", "SHELL", "PATH"
	};
	char **envp = calloc(ENV_BASE + req->envc + 2, sizeof(char *));
	size_t n = ENV_BASE;
	bool term = req->pty.term != NULL;

	if (envp == NULL)
		return NULL;
	snprintf(b->home, sizeof(b->home), "HOME=%s", a->home);
	snprintf(b->user, sizeof(b->user), "USER=%s", a->name);
	snprintf(b->logname, sizeof(b->logname), "LOGNAME=%s", a->name);
	snprintf(b->shell, sizeof(b->shell), "SHELL=%s", a->shell);
	snprintf(b->path, sizeof(b->path), "PATH=%s",
	    a->uid == 0 ? PATH_ROOT : PATH_USER);
	envp[ENV_HOME] = b->home;
	envp[ENV_USER] = b->user;
	envp[ENV_LOGNAME] = b->logname;
	envp[ENV_SHELL] = b->shell;
	envp[ENV_PATH] = b->path;
	for (size_t i = 0; i < req->envc; i++) {
		int k = 0;

		while (k < ENV_BASE && !env_is(req->env[i], names[k]))
			k++;
		if (k < ENV_BASE)
			envp[k] = req->env[i];
		else
			envp[n++] = req->env[i];
		/* The user's -e TERM=... wins over the terminal's. */
		if (env_is(req->env[i], "TERM"))
			term = false;
	}
	if (term) {
		snprintf(b->term, sizeof(b->term), "TERM=%s", req->pty.term);
		envp[n] = b->term;
	}
	return envp;
}

static bool
env_is(const char *var, const char *name)
{
	size_t n = strlen(name);

	return strncmp(var, name, n) == 0 && var[n] == '=';
}

/* For a script without #!: sh FILE ARGS..., FILE filled in by the child. */
static char **
build_sh_argv(const struct exec_req *req)
{
	char **v;

	if (req->cmd != NULL)
		return NULL;
	if ((v = calloc(req->argc + 2, sizeof(char *))) == NULL)
		return NULL;
	v[0] = "/bin/sh";
	for (size_t i = 1; i < req->argc; i++)
		v[i + 1] = req->argv[i];
	return v;
}

static int
open_pipes(const struct exec_req *req, const struct account *a,
    struct pipes *p)
{
	memset(p, -1, sizeof(*p));
	if (req->pty.on) {
		if (pty_open(&req->pty, a, &p->master, &p->slave) == -1 ||
		    pipe2(p->status, O_CLOEXEC) == -1) {
			close_pipes(p);
			return -1;
		}
		return 0;
	}
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
close_pipes(struct pipes *p)
{
	close_pipe(p->in);
	close_pipe(p->out);
	close_pipe(p->err);
	close_pipe(p->status);
	if (p->master != -1)
		close(p->master);
	if (p->slave != -1)
		close(p->slave);
	p->master = p->slave = -1;
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
plan_free(struct plan *pl)
{
	free(pl->envp);
	free(pl->sh_argv);
}

static int
spawn_with(struct plan *pl, struct pipes *p, struct child *ch,
    struct proto_error *e)
{
	struct spawn_status st;
	pid_t pid;

	if ((pid = start_child(pl)) == -1) {
		proto_error_set(e, ERR_SPAWN, "fork: %s", strerror(errno));
		return -1;
	}
	close_child_ends(p);
	if (exec_status(p->status[0], &st) == -1) {
		describe(pl->req, pl->a, &st, e);
		cmd_leader_reap_wait(pid);
		return -1;
	}
	close_pipe(p->status);
	if (parent_ends(p, ch) == -1) {
		proto_error_set(e, ERR_INTERNAL, "dup: %s", strerror(errno));
		(void)kill(pid, SIGKILL);
		cmd_leader_reap_wait(pid);
		return -1;
	}
	ch->pid = pid;
	return 0;
}

/*
 * vfork-style: the child borrows the master's memory instead of copying
 * its page tables (and the master then takes no copy-on-write faults),
 * and the master sleeps until the child has exec'd or died.  Every
 * signal is blocked meanwhile, so no handler ever runs in the child on
 * the master's memory; the child unblocks them once reset.
 */
static pid_t
start_child(struct plan *pl)
{
	void *stack = child_stack();
	sigset_t all, old;
	pid_t pid;
	int err;

	if (stack == NULL)
		return -1;
	if (nreset_sig < 0)
		find_reset_signals();
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(child_main, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, pl);
	err = errno;
	/* ASan's marks of the child's frames, left as it exec'd, are in
	 * our shadow memory: the next child would trip over them. */
	UNPOISON((char *)stack - CHILD_STACK, CHILD_STACK);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = err;
	return pid;
}

/* The child's stack, made once. */
static void *
child_stack(void)
{
	static void *stack;
	void *m;

	if (stack == NULL) {
		m = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		stack = m;
	}
	return (char *)stack + CHILD_STACK;
}

static void
find_reset_signals(void)
{
	struct sigaction sa;

	nreset_sig = 0;
	for (int s = 1; s < NSIG; s++)
		if (sigaction(s, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL)
			reset_sig[nreset_sig++] = s;
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
describe(const struct exec_req *req, const struct account *a,
    const struct spawn_status *st, struct proto_error *e)
{
	const char *prog = req->login || req->subsystem != NULL ||
	    (req->shell && req->cmd != NULL) ? a->shell : req->cmd != NULL ?
	    "/bin/sh" : req->argv[0];

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

/* The child has them now (or is gone): without the slave closed here,
 * the master would never see the end of the terminal. */
static void
close_child_ends(struct pipes *p)
{
	int *ends[] = { &p->in[0], &p->out[1], &p->err[1], &p->status[1],
	    &p->slave };

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (*ends[i] != -1) {
			close(*ends[i]);
			*ends[i] = -1;
		}
}

/* The stream closes stdin (in_fd) apart from the output: on a pty both
 * are the master, the one description shared by two descriptors. */
static int
parent_ends(struct pipes *p, struct child *ch)
{
	ch->pty = p->master != -1;
	if (ch->pty) {
		if ((ch->in_fd = fcntl(p->master, F_DUPFD_CLOEXEC, 3)) == -1)
			return -1;
		ch->out_fd = p->master;
		ch->err_fd = -1;
		p->master = -1;
		set_nonblock(ch->out_fd, 1);
		return 0;
	}
	ch->in_fd = p->in[1];
	ch->out_fd = p->out[0];
	ch->err_fd = p->err[0];
	p->in[1] = p->out[0] = p->err[0] = -1;
	if (ch->in_fd != -1)
		set_nonblock(ch->in_fd, 1);
	set_nonblock(ch->out_fd, 1);
	set_nonblock(ch->err_fd, 1);
	return 0;
}

static void
child_fail(int fd, enum stage stage, int err)
{
	struct spawn_status st = { stage, err };

	if (write(fd, &st, sizeof(st)) == -1) {
		/* The master then sees EOF: it cannot be helped. */
	}
	/* _exit: the master's atexit handlers and stdio are not ours. */
	_exit(127);
}

/* Every signal was blocked by the parent: reset, then unblock. */
static void
child_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < nreset_sig; i++)
		(void)sigaction(reset_sig[i], &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* closefrom(4) without libbsd's fallback, which allocates. */
static void
child_closefrom(int lowfd)
{
	struct rlimit rl;

	if (syscall(SYS_close_range, lowfd, ~0U, 0) == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur > 65536)
		rl.rlim_cur = 65536;
	for (int fd = lowfd; fd < (int)rl.rlim_cur; fd++)
		(void)close(fd);
}

static int
child_fds(const struct exec_req *req, const struct pipes *p)
{
	int in;

	if (p->slave != -1) {
		if (pty_child_attach(p->slave) == -1)
			return -1;
	} else if ((in = req->stdin_open ? p->in[0] :
	    open("/dev/null", O_RDONLY)) == -1 || dup2(in, 0) == -1 ||
	    dup2(p->out[1], 1) == -1 || dup2(p->err[1], 2) == -1)
		return -1;
	if (p->status[1] != 3 && dup3(p->status[1], 3, O_CLOEXEC) == -1)
		return -1;
	child_closefrom(4);
	return 0;
}

/* Raw system calls: glibc's set*id may signal the parent's threads
 * (the child shares its memory). */
int
spawn_become(const struct account *a)
{
	if (!a->drop)
		return 0;
	if (syscall(SYS_setgroups, (size_t)a->ngroups, a->groups) == -1 ||
	    syscall(SYS_setresgid, a->gid, a->gid, a->gid) == -1 ||
	    syscall(SYS_setresuid, a->uid, a->uid, a->uid) == -1)
		return -1;
	/* Paranoia: regaining root must be impossible now. */
	if (a->uid != 0 && syscall(SYS_setuid, 0) != -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* execve, and for a file without #! what execvp does: sh runs it. */
static void
child_exec_file(const struct plan *pl, const char *path)
{
	execve(path, pl->req->argv, pl->envp);
	if (errno == ENOEXEC && pl->sh_argv != NULL) {
		pl->sh_argv[1] = (char *)(uintptr_t)path;
		execve("/bin/sh", pl->sh_argv, pl->envp);
		errno = ENOEXEC;
	}
}

/* execvp's search, in the command's PATH rather than the master's. */
static void
child_exec_search(const struct plan *pl)
{
	const char *file = pl->req->argv[0], *dir = pl->path, *end;
	size_t flen = strlen(file), dlen;
	char buf[PATH_MAX];
	bool eacces = false;

	if (strchr(file, '/') != NULL) {
		child_exec_file(pl, file);
		return;
	}
	for (;; dir = end + 1) {
		end = strchrnul(dir, ':');
		dlen = (size_t)(end - dir);
		if (dlen + flen + 2 <= sizeof(buf)) {
			/* An empty element is the current directory. */
			memcpy(buf, dir, dlen);
			if (dlen > 0)
				buf[dlen++] = '/';
			memcpy(buf + dlen, file, flen + 1);
			child_exec_file(pl, buf);
			if (errno == EACCES)
				eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR &&
			    errno != ESTALE && errno != ENODEV &&
			    errno != ETIMEDOUT)
				return;
		}
		if (*end == '\0')
			break;
	}
	errno = eacces ? EACCES : ENOENT;
}

static int
child_main(void *arg)
{
	const struct plan *pl = arg;
	const struct config *cf = pl->cf;
	const struct exec_req *req = pl->req;
	const char *dir = req->cwd != NULL ? req->cwd : pl->a->home;

	child_signals();
	/* The status pipe is on fd 3 only once child_fds has moved it
	 * (issue 19: fd 3 was the worker's listening socket). */
	/* Not the daemon's, which may be anything (000 gives world-writable
	 * files). */
	umask(cf->umask);
	if (setsid() == -1 || child_fds(req, pl->p) == -1)
		child_fail(pl->p->status[1], STAGE_SETUP, errno);
	for (int i = 0; i < RL_COUNT; i++) {
		struct rlimit rl = { cf->rlim[i].value, cf->rlim[i].value };
		if (cf->rlim[i].set && setrlimit(rlimit_res[i], &rl) == -1)
			child_fail(3, STAGE_SETUP, errno);
	}
	if (spawn_become(pl->a) == -1)
		child_fail(3, STAGE_PRIV, errno);
	if (chdir(dir) == -1) {
		if (req->cwd != NULL)
			child_fail(3, STAGE_CHDIR, errno);
		if (chdir("/") == -1)
			child_fail(3, STAGE_CHDIR, errno);
	}
	if (req->login) {
		execve(pl->a->shell, pl->login_argv, pl->envp);
	} else if (pl->subsys_cmd != NULL) {
		/* As sshd runs a Subsystem: by the account's shell. */
		char *sh_argv[] = { (char *)(uintptr_t)(pl->login_arg0 + 1),
		    "-c", (char *)(uintptr_t)pl->subsys_cmd, NULL };
		execve(pl->a->shell, sh_argv, pl->envp);
	} else if (req->cmd != NULL && req->shell) {
		/* As sshd: the shell's name, -c, the command. */
		char *sh_argv[] = { (char *)(uintptr_t)(pl->login_arg0 + 1),
		    "-c",
		    (char *)(uintptr_t)req->cmd, NULL };
		execve(pl->a->shell, sh_argv, pl->envp);
	} else if (req->cmd != NULL) {
		char *sh_argv[] = { "sh", "-c", (char *)(uintptr_t)req->cmd,
		    NULL };
		execve("/bin/sh", sh_argv, pl->envp);
	} else
		child_exec_search(pl);
	child_fail(3, STAGE_EXEC, errno);
}
