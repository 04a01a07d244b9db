/* SPDX-License-Identifier: ISC */
/*
 * What the workers remember about client addresses between connections,
 * in shared memory: penalties (after OpenSSH's PerSourcePenalties) and
 * log budgets.  An address is an IPv4 address or an IPv6 /64: one
 * client gets a whole /64, so a single address would be no limit.  The
 * table is small and fixed; when a probe window is full, the entry
 * least worth keeping (not penalised, least recently seen) is reused.
 */
#ifndef REXECD_SRCTAB_H
#define REXECD_SRCTAB_H

#include <sys/socket.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define SRCTAB_SIZE	4096		/* a power of two */
#define SRCTAB_PROBE	8

struct srckey {
	unsigned char	a[16];		/* IPv4-mapped, or a /64 zero-padded */
};

struct srcent {
	struct srckey	key;
	bool		used;
	long long	seen_ms;
	long long	penalty_until;	/* ms; accrues, see srctab_penalise */
	long long	accrued;	/* ms added since it last ran out */
	bool		penalised;	/* refused until penalty_until */
	long long	log_window;	/* start of the log window */
	unsigned	logged;		/* lines in that window */
};

struct srctab {
	pthread_mutex_t	lock;		/* robust: a worker may die in it */
	uint64_t	seed;		/* addresses cannot be chosen to collide */
	struct srcent	ent[SRCTAB_SIZE];
};

/* In memory shared already, before the workers are forked. */
void	srctab_init(struct srctab *);
void	srckey_of(const struct sockaddr *, struct srckey *);
/* How long the source is still refused for, in ms (0: not penalised). */
long long	srctab_penalty(struct srctab *, const struct srckey *,
		    long long now);
/*
 * Adds add_ms to the source's penalty (never beyond max_ms from now);
 * once the penalties added since it last ran out reach min_ms, the
 * source is refused until it runs out.  Returns the ms it is refused for when this call made it
 * so (to be logged once), or 0.
 */
long long	srctab_penalise(struct srctab *, const struct srckey *,
		    long long add_ms, long long min_ms, long long max_ms,
		    long long now);
/* Whether the source may log one more line: burst per window_ms. */
bool	srctab_may_log(struct srctab *, const struct srckey *,
	    unsigned burst, long long window_ms, long long now);

#endif
