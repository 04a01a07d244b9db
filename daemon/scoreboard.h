/*
 * The scoreboard: one slot per worker in shared memory.  A worker writes
 * only its own slot; the master fills a slot before forking and marks it
 * DEAD after reaping.
 */
#ifndef REXECD_SCOREBOARD_H
#define REXECD_SCOREBOARD_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "config.h"

enum slot_state {
	SLOT_DEAD,
	SLOT_STARTING,
	SLOT_IDLE,
	SLOT_READING,		/* connection accepted, no command yet */
	SLOT_BUSY,
	SLOT_EXITING
};

#define SLOT_PEER_MAX		64
#define SLOT_COMMAND_MAX	64

struct slot {
	pid_t		pid;
	unsigned	generation;
	int		state;			/* enum slot_state */
	pid_t		cmd_pgid;		/* running command's group, 0 */
	unsigned long	requests;
	long long	started_ms;
	long long	accepted_ms;		/* of the current connection */
	char		peer[SLOT_PEER_MAX];
	char		command[SLOT_COMMAND_MAX];
};

/*
 * nslots is how many slots were ever used (the master takes the lowest
 * free one): every slot beyond is DEAD, so scans stop there instead of
 * reading all WORKERS_LIMIT slots (170 KiB) for a pool of 8.
 */
struct scoreboard {
	size_t		nslots;
	struct slot	slot[WORKERS_LIMIT];
};

struct scoreboard	*scoreboard_create(void);
size_t			 scoreboard_slots(const struct scoreboard *);
/* Takes a DEAD slot (the lowest), NULL when all are used.  Master only. */
struct slot		*scoreboard_take(struct scoreboard *);
void			 slot_set_state(struct slot *, enum slot_state);
enum slot_state		 slot_state(const struct slot *);
/* Slots in state s, counting only generation gen unless gen_any. */
size_t			 scoreboard_count(const struct scoreboard *,
			    enum slot_state, unsigned gen, int gen_any);

#endif
