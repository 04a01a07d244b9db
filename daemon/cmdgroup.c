/* SPDX-License-Identifier: ISC */
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

/* Groups of one session signalled at once; a session has few. */
#define GROUPS_MAX	64

struct scan {
	pid_t	session;	/* match on the session, or */
	pid_t	pgrp;		/* on the group (0: any of the session's) */
	int	live;
	pid_t	groups[GROUPS_MAX];
	int	ngroups;
};

typedef void	(*proc_fn)(void *, pid_t pgrp, pid_t sid);

static int	scan_proc(struct scan *);
static void	scan_one(void *, pid_t pgrp, pid_t sid);
static int	each_proc(proc_fn, void *);
static void	count_one(void *, pid_t pgrp, pid_t sid);
static void	add_group(struct scan *, pid_t);
static int	group_of(int procfd, const char *pid, pid_t *pgrp, pid_t *sid);

int
cmd_leader_exited(pid_t leader, int *status)
{
	siginfo_t si = { 0 };

	while (waitid(P_PID, (id_t)leader, &si, WEXITED | WNOHANG |
	    WNOWAIT | __WALL) == -1)
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
	while (waitpid(leader, NULL, WNOHANG | __WALL) == -1 && errno == EINTR)
		;
}

void
cmd_leader_reap_wait(pid_t leader)
{
	while (waitpid(leader, NULL, __WALL) == -1 && errno == EINTR)
		;
}

/*
 * Groups are signalled whole (kill of -pgrp), never process by process
 * from what /proc said a moment ago: a pid may be reused meanwhile, a
 * group id not while the group has a member.  Liveness comes from /proc:
 * kill(-pgrp, 0) would count the zombie leader as alive.
 */
int
cmd_signal(pid_t leader, bool session, int sig)
{
	struct scan s = { .session = session ? leader : 0,
	    .pgrp = session ? 0 : leader };

	if (!session) {
		if (sig != 0)
			(void)kill(-leader, sig);
		return scan_proc(&s);
	}
	if (scan_proc(&s) == -1)
		return -1;
	for (int i = 0; sig != 0 && i < s.ngroups; i++)
		(void)kill(-s.groups[i], sig);
	return s.live;
}

int
cmd_signal_group_in(pid_t leader, pid_t pgrp, int sig)
{
	struct scan s = { .session = leader, .pgrp = pgrp };

	if (scan_proc(&s) == -1)
		return -1;
	if (s.live > 0 && sig != 0)
		(void)kill(-pgrp, sig);
	return s.live;
}

static int
scan_proc(struct scan *s)
{
	return each_proc(scan_one, s) == -1 ? -1 : s->live;
}

static void
scan_one(void *arg, pid_t pgrp, pid_t sid)
{
	struct scan *s = arg;

	if (s->session != 0 && sid != s->session)
		return;
	if (s->pgrp != 0 && pgrp != s->pgrp)
		return;
	s->live++;
	add_group(s, pgrp);
}

struct count {
	struct cmd_live	*c;
	int		 n;
};

int
cmd_count_live(struct cmd_live *c, int n)
{
	struct count k = { c, n };

	for (int i = 0; i < n; i++)
		c[i].live = 0;
	return each_proc(count_one, &k);
}

static void
count_one(void *arg, pid_t pgrp, pid_t sid)
{
	struct count *k = arg;

	for (int i = 0; i < k->n; i++)
		if ((k->c[i].session ? sid : pgrp) == k->c[i].leader)
			k->c[i].live++;
}

/* Calls fn with the group and session of every live process. */
static int
each_proc(proc_fn fn, void *arg)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t pgrp, sid;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
		    group_of(dirfd(d), e->d_name, &pgrp, &sid) == 0)
			fn(arg, pgrp, sid);
	closedir(d);
	return 0;
}

int
cmd_children(pid_t *pids, int max)
{
	/* Up to 7 digits and a space each. */
	static char buf[8 * CHILDREN_MAX + 1];
	char path[64], *q, *end;
	size_t len = 0;
	ssize_t n = 1;
	int fd, k = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
	    (int)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (len < sizeof(buf) - 1 && n != 0)
		if ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += (size_t)n;
		else if (n == -1 && errno != EINTR)
			break;
	close(fd);
	/* A full buffer may have been cut short: not the whole list. */
	if (n == -1 || len == sizeof(buf) - 1)
		return -1;
	buf[len] = '\0';
	for (q = buf; *q != '\0'; q = end) {
		long pid = strtol(q, &end, 10);

		if (end == q)
			break;
		if (k == max)
			return -1;
		pids[k++] = (pid_t)pid;
	}
	return k;
}

static void
add_group(struct scan *s, pid_t pgrp)
{
	for (int i = 0; i < s->ngroups; i++)
		if (s->groups[i] == pgrp)
			return;
	if (s->ngroups < GROUPS_MAX)
		s->groups[s->ngroups++] = pgrp;
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
