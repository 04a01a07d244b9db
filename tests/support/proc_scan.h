/* SPDX-License-Identifier: ISC */
/* Looking at processes and descriptors through /proc, for tests. */
#ifndef REXEC_TEST_PROC_SCAN_H
#define REXEC_TEST_PROC_SCAN_H

#include <stddef.h>
#include <sys/types.h>

/* Children of ppid (up to max stored in out); returns how many (all of
 * them when out is NULL). */
size_t	proc_children(pid_t ppid, pid_t *out, size_t max);
/* Command line of pid, NULs made spaces; 0, or -1 when gone. */
int	proc_cmdline(pid_t pid, char *buf, size_t len);
/* Processes marked with marker, in their command line or environment
 * (inherited by every child: export REXEC_TEST_MARK=marker). */
size_t	proc_count_marker(const char *marker);
/* Sends sig to each of them; returns how many. */
size_t	proc_kill_marker(const char *marker, int sig);
/* "fd -> target" lines of a process, sorted, malloc'd ("" if gone):
 * fds 0-2 by number, the others as "fd", and without inode numbers
 * ("socket", "pipe"): the master's links to its workers and its
 * commands' pidfds take whatever numbers are free. */
char	*proc_fd_table(pid_t pid);
/* Zombie children of ppid; their pids (up to max) in out. */
size_t	proc_zombies(pid_t ppid);
size_t	proc_zombie_pids(pid_t ppid, pid_t *out, size_t max);
/* Resident set size in KiB, or -1. */
long	proc_rss_kib(pid_t pid);
/* Waits (bounded) until no process has marker in its command line. */
int	proc_wait_marker_gone(const char *marker, int timeout_ms);

#endif
