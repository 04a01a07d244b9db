/* SPDX-License-Identifier: ISC */
/*
 * The scoreboard: one slot per worker in shared memory.  Only the
 * functions below write a slot: the master fills it before forking
 * (slot_start) and empties it after reaping (slot_dead); between the two,
 * the worker moves its own slot from state to state.  Everything counted
 * comes from one scan, scoreboard_tally.
 */
#ifndef REXECD_SCOREBOARD_H
#define REXECD_SCOREBOARD_H

#include <sys/types.h>

#include <stddef.h>

#include "config.h"
#include "srctab.h"

enum slot_state {
	SLOT_DEAD,
	SLOT_STARTING,
	SLOT_IDLE,
	SLOT_READING,		/* connection accepted, no command yet */
	SLOT_BUSY,
	SLOT_EXITING,
	SLOT_STATE_COUNT
};

#define SLOT_PEER_MAX		64
/* STATUS_CMD_MAX (256) characters of UTF-8, 4 bytes at most each. */
#define SLOT_COMMAND_MAX	(256 * 4 + 1)

/*
 * A status request reads every slot while their workers write them:
 * seq is odd while the worker changes peer, user or command, and
 * changes with each change, so a reader can tell a torn copy.
 */
struct slot {
	pid_t		pid;
	unsigned	generation;
	int		state;			/* enum slot_state */
	unsigned	seq;
	pid_t		cmd_pgid;		/* running command's group, 0 */
	unsigned long	requests;
	long long	started_ms;
	long long	accepted_ms;		/* of the current connection */
	long long	busy_ms;		/* when the command started */
	struct srckey	src;			/* the peer's, for limits */
	char		peer[SLOT_PEER_MAX];
	char		user[USER_MAX];
	char		command[SLOT_COMMAND_MAX];
};

/*
 * nslots is how many slots were ever used (the master takes the lowest
 * free one): every slot beyond is DEAD, so scans stop there instead of
 * reading all WORKERS_LIMIT slots (170 KiB) for a pool of 8.
 */
struct scoreboard {
	size_t			nslots;
	long long		started_ms;	/* the daemon's start */
	unsigned		generation;	/* the master's current one */
	unsigned long long	served;		/* commands run */
	unsigned long long	refused;	/* connections refused */
	struct slot		slot[WORKERS_LIMIT];
	struct srctab		sources;	/* penalties, log budgets */
};

/* The pool at one instant. */
struct tally {
	size_t	alive;			/* not DEAD */
	size_t	state[SLOT_STATE_COUNT];	/* every generation */
	/* Of the generation asked for, all but DEAD and EXITING: */
	size_t	cur, cur_idle, cur_starting;
	size_t	slow_reading;		/* READING since before slow_ms */
};

struct scoreboard	*scoreboard_create(void);
/* One scan: counts by state, of generation gen, slow readers. */
void	scoreboard_tally(const struct scoreboard *, unsigned gen,
	    long long slow_ms, struct tally *);
/* Connections from src still without a command (READING), accepted
 * before before_ms (a now_ms() time). */
size_t	scoreboard_reading_from(const struct scoreboard *,
	    const struct srckey *src, long long before_ms);
/* READING connections accepted before the one of slot s. */
size_t	scoreboard_older_readers(const struct scoreboard *,
	    const struct slot *s);
/* Live slots one after the other: start with NULL; NULL at the end. */
struct slot	*scoreboard_next(struct scoreboard *, struct slot *);

/* Daemon-wide counters, from any process. */
void	scoreboard_served(struct scoreboard *);
void	scoreboard_refused(struct scoreboard *);
/* Master only: the generation new workers get. */
void	scoreboard_set_generation(struct scoreboard *, unsigned);
/* A consistent copy of a slot another process may be writing: 0, or -1
 * when it kept changing (it is then left out). */
int	slot_snapshot(const struct slot *, struct slot *copy);

/* Master only: a DEAD slot (the lowest) made STARTING, or NULL if none. */
struct slot	*slot_start(struct scoreboard *, unsigned gen);
void		 slot_dead(struct slot *);
/* Both sides, whichever is first after the fork. */
void		 slot_pid(struct slot *, pid_t);
/* The worker, on its own slot. */
void		 slot_idle(struct slot *);
void		 slot_reading(struct slot *, const char *peer,
		    const struct srckey *src);
void		 slot_busy(struct slot *, const char *user, const char *command,
		    pid_t pgid);
void		 slot_done(struct slot *);	/* the request is over */
void		 slot_exiting(struct slot *);
enum slot_state	 slot_state(const struct slot *);

#endif
