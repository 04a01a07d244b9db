/* SPDX-License-Identifier: ISC */
/*
 * The processes of one command: its leader (the child the spawner
 * started) and its process group, or on a pty its whole session (a
 * shell's jobs get groups of their own).  The leader is reaped last:
 * while it is an unreaped zombie its pid, which names the group and the
 * session, cannot be given to another process, so no signal meant for
 * the command can reach an unrelated group that reused the number.
 * So the master reaps its other children by pid, never waitpid(-1).
 */
#ifndef REXECD_CMDGROUP_H
#define REXECD_CMDGROUP_H

#include <sys/types.h>

#include <stdbool.h>

/* 1 and *status (as waitpid's) when the leader has exited, 0 when not
 * yet, -1 on error; the leader stays unreaped. */
int	cmd_leader_exited(pid_t leader, int *status);
/* Reaps the leader once nothing more is sent to its group; the _wait
 * form waits for it to exit first. */
void	cmd_leader_reap(pid_t leader);
void	cmd_leader_reap_wait(pid_t leader);
/* Sends sig (0: none) to the command's group, or to every group of its
 * session when session is true; returns how many live processes there
 * were, -1 when /proc cannot be read. */
int	cmd_signal(pid_t leader, bool session, int sig);
/* Sends sig to the group pgrp if it is one of the session's; how many
 * live processes it has, -1 when /proc cannot be read. */
int	cmd_signal_group_in(pid_t leader, pid_t pgrp, int sig);

/* A command asked about: its group, or every group of its session. */
struct cmd_live {
	pid_t	leader;
	bool	session;
	int	live;		/* out: its processes, zombies not counted */
};
/* Counts the live processes of n commands in one pass over /proc; 0, or
 * -1 when /proc cannot be read. */
int	cmd_count_live(struct cmd_live *, int n);
/* Workers, leaders and orphans: more than a master has. */
#define CHILDREN_MAX	4096
/* Our children's pids, zombies too, into pids (up to max): how many, or
 * -1 when they cannot be read or are more than max. */
int	cmd_children(pid_t *pids, int max);

#endif
