/* SPDX-License-Identifier: ISC */
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

#include "fdio.h"
#include "pty.h"

/* Mode of a login terminal: the owner writes, the tty group may too
 * (write(1), wall(1)), as login and sshd leave it. */
#define PTY_MODE	0620

static gid_t	tty_group(void);

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




