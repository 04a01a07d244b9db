#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"

/* Mode of a login terminal: the owner writes, the tty group may too
 * (write(1), wall(1)), as login and sshd leave it. */
#define PTY_MODE	0620

static int	set_cloexec(int fd);
static gid_t	tty_group(void);
static int	session_of(int procfd, const char *pid, pid_t *sid);

int
pty_open(const struct pty_req *req, const struct account *a, int *master,
    int *slave)
{
	struct winsize ws = { .ws_row = (unsigned short)req->size.rows,
	    .ws_col = (unsigned short)req->size.cols };
	int err;

	if (openpty(master, slave, NULL, NULL, &ws) == -1)
		return -1;
	if (set_cloexec(*master) == -1 || set_cloexec(*slave) == -1)
		goto fail;
	/* A worker running as root allocates for the account it runs. */
	if (geteuid() == 0 && a->uid != 0 &&
	    (fchown(*slave, a->uid, tty_group()) == -1 ||
	    fchmod(*slave, PTY_MODE) == -1))
		goto fail;
	return 0;
fail:
	err = errno;
	close(*master);
	close(*slave);
	*master = *slave = -1;
	errno = err;
	return -1;
}

/* The group write(1) is set-group-ID to; looked up once per worker. */
static gid_t
tty_group(void)
{
	static gid_t gid;
	static bool known;
	struct group *gr;

	if (!known) {
		gr = getgrnam("tty");
		gid = gr != NULL ? gr->gr_gid : (gid_t)-1;
		known = true;
	}
	return gid;
}

static int
set_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags == -1 ? -1 : fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int
pty_child_attach(int slave)
{
	if (ioctl(slave, TIOCSCTTY, 0) == -1)
		return -1;
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) == -1)
			return -1;
	return 0;
}

int
pty_resize(int master, const struct winsize_req *w)
{
	struct winsize ws = { .ws_row = (unsigned short)w->rows,
	    .ws_col = (unsigned short)w->cols };

	/* The kernel sends SIGWINCH to the foreground group. */
	return ioctl(master, TIOCSWINSZ, &ws);
}

unsigned char
pty_eof_char(int master)
{
	struct termios t;

	/* On Linux the master's termios calls reach the slave's. */
	if (tcgetattr(master, &t) == -1 || t.c_cc[VEOF] == _POSIX_VDISABLE)
		return 4;
	return t.c_cc[VEOF];
}

pid_t
pty_foreground(int master, pid_t dflt)
{
	pid_t pg = tcgetpgrp(master);

	return pg > 0 ? pg : dflt;
}

int
pty_leader_exited(pid_t pid, int *status)
{
	siginfo_t si = { 0 };

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) ==
	    -1)
		if (errno != EINTR)
			return -1;
	if (si.si_pid == 0)
		return 0;
	if (si.si_code == CLD_EXITED)
		*status = W_EXITCODE(si.si_status, 0);
	else
		*status = W_EXITCODE(0, si.si_status) |
		    (si.si_code == CLD_DUMPED ? WCOREFLAG : 0);
	return 1;
}

void
pty_leader_reap(pid_t pid)
{
	while (waitpid(pid, NULL, WNOHANG) == -1 && errno == EINTR)
		;
}

/*
 * The processes still on the terminal have left the command's process
 * group (job control gives each job its own) but not its session: they
 * are found by their session id, as the kernel knows them.
 */
int
pty_signal_session(pid_t sid, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t s;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    session_of(dirfd(d), e->d_name, &s) == -1 || s != sid)
			continue;
		n++;
		(void)kill((pid_t)atoi(e->d_name), sig);
	}
	closedir(d);
	return n;
}

/* The session field of /proc/PID/stat, after the command name (which
 * may hold spaces and parentheses: the last ')' ends it). */
static int
session_of(int procfd, const char *pid, pid_t *sid)
{
	char path[32], buf[512], *p;
	int fd, pgrp, ppid, session;
	ssize_t n;
	char state;

	snprintf(path, sizeof(path), "%s/stat", pid);
	if ((fd = openat(procfd, path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp,
	    &session) != 4)
		return -1;
	/* A zombie is reaped by its parent; signals do nothing to it. */
	if (state == 'Z')
		return -1;
	*sid = (pid_t)session;
	return 0;
}
