#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdgroup.h"

static int	group_of(int procfd, const char *pid, pid_t *pgrp, pid_t *sid);

int
cmd_leader_exited(pid_t leader, int *status)
{
	siginfo_t si = { 0 };

	while (waitid(P_PID, (id_t)leader, &si, WEXITED | WNOHANG |
	    WNOWAIT) == -1)
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
cmd_leader_reap(pid_t leader)
{
	while (waitpid(leader, NULL, WNOHANG) == -1 && errno == EINTR)
		;
}

/*
 * By /proc, as the kernel knows them: kill(-pgid) would also "reach" the
 * zombie leader and say the group is alive for as long as it is unreaped.
 */
int
cmd_signal(pid_t leader, bool session, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t pgrp, sid;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    group_of(dirfd(d), e->d_name, &pgrp, &sid) == -1 ||
		    (session ? sid : pgrp) != leader)
			continue;
		n++;
		if (sig != 0)
			(void)kill((pid_t)atoi(e->d_name), sig);
	}
	closedir(d);
	return n;
}

/* The group and session fields of /proc/PID/stat, after the command name
 * (which may hold spaces and parentheses: the last ')' ends it); -1 for
 * a zombie, which signals do nothing to. */
static int
group_of(int procfd, const char *pid, pid_t *pgrp, pid_t *sid)
{
	char path[32], buf[512], *p;
	int fd, g, ppid, s;
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
	    sscanf(p + 1, " %c %d %d %d", &state, &ppid, &g, &s) != 4 ||
	    state == 'Z')
		return -1;
	*pgrp = (pid_t)g;
	*sid = (pid_t)s;
	return 0;
}
