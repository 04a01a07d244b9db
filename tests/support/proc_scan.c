/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_scan.h"
#include "rexecd_proc.h"

/* State and parent of pid from /proc/PID/stat; 0 or -1. */
static int
proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fgets(buf, sizeof(buf), f) != NULL;
	fclose(f);
	/* The command name may hold spaces and parens: skip to the last ')'. */
	if (!ok || (p = strrchr(buf, ')')) == NULL)
		return -1;
	int pp;
	if (sscanf(p + 1, " %c %d", state, &pp) != 2)
		return -1;
	*ppid = (pid_t)pp;
	return 0;
}

static size_t
scan(pid_t ppid, int zombies_only, pid_t *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name), pp;
		char state;
		if (pid <= 0 || proc_stat(pid, &state, &pp) == -1 || pp != ppid)
			continue;
		if (zombies_only && state != 'Z')
			continue;
		if (out != NULL && n < max)
			out[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}

size_t
proc_children(pid_t ppid, pid_t *out, size_t max)
{
	size_t n = scan(ppid, 0, out, max);

	/* Without out, the count of them all. */
	return out == NULL || n < max ? n : max;
}

size_t
proc_zombie_pids(pid_t ppid, pid_t *out, size_t max)
{
	size_t n = scan(ppid, 1, out, max);

	return n < max ? n : max;
}

size_t
proc_zombies(pid_t ppid)
{
	return scan(ppid, 1, NULL, 0);
}

/* /proc/PID/name (cmdline, environ) with its NULs made spaces; 0 or -1. */
static int
proc_text(const char *pid, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, name);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return 0;
}

int
proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char p[32];

	snprintf(p, sizeof(p), "%d", (int)pid);
	return proc_text(p, "cmdline", buf, len);
}

/* In its command line or its environment: children inherit the latter. */
static int
marked(const char *pid, const char *marker)
{
	static char buf[65536];

	return (proc_text(pid, "cmdline", buf, sizeof(buf)) == 0 &&
	    strstr(buf, marker) != NULL) ||
	    (proc_text(pid, "environ", buf, sizeof(buf)) == 0 &&
	    strstr(buf, marker) != NULL);
}

/* Processes but this one marked with marker; sig to each. */
static size_t
each_marker(const char *marker, int sig)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;
	char self[32];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (atoi(e->d_name) > 0 && strcmp(e->d_name, self) != 0 &&
		    marked(e->d_name, marker)) {
			n++;
			if (sig != 0)
				(void)kill(atoi(e->d_name), sig);
		}
	closedir(d);
	return n;
}

size_t
proc_count_marker(const char *marker)
{
	return each_marker(marker, 0);
}

size_t
proc_kill_marker(const char *marker, int sig)
{
	return each_marker(marker, sig);
}

int
proc_wait_marker_gone(const char *marker, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		if (proc_count_marker(marker) == 0)
			return 0;
		test_sleep_ms(20);
	}
	return -1;
}

/* "socket:[123]" -> "socket": one socket is as good as another. */
static void
strip_inode(char *target)
{
	char *b = strchr(target, '[');

	if (b != NULL && b > target && b[-1] == ':' &&
	    strchr(b, ']') != NULL)
		b[-1] = '\0';
}

static int
cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
proc_fd_table(pid_t pid)
{
	char path[64], link[PATH_MAX + 32], target[PATH_MAX];
	char *lines[1024], *out;
	size_t n = 0, len = 1;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return strdup("");
	while ((e = readdir(d)) != NULL && n < 1024) {
		ssize_t t;
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
		if ((t = readlink(link, target, sizeof(target) - 1)) == -1)
			continue;
		target[t] = '\0';
		strip_inode(target);
		if (asprintf(&lines[n], "%s -> %s\n", atoi(e->d_name) < 3 ?
		    e->d_name : "fd", target) == -1)
			abort();
		len += strlen(lines[n++]);
	}
	closedir(d);
	qsort(lines, n, sizeof(char *), cmp_lines);
	out = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	return out;
}

long
proc_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}
