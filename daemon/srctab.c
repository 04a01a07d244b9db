/* SPDX-License-Identifier: ISC */
#include <sys/socket.h>

#include <netinet/in.h>

#include <bsd/stdlib.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "log.h"
#include "srctab.h"

static const unsigned char v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static struct srcent	*find(struct srctab *, const struct srckey *,
			    bool create, long long now);
static size_t	hash(const struct srctab *, const struct srckey *);
static long long	worth(const struct srcent *, long long now);
static int	lock(struct srctab *);
static void	unlock(struct srctab *);

void
srctab_init(struct srctab *t)
{
	pthread_mutexattr_t a;

	if (pthread_mutexattr_init(&a) != 0 ||
	    pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) != 0 ||
	    pthread_mutex_init(&t->lock, &a) != 0)
		fatalx("srctab: cannot make a shared mutex");
	pthread_mutexattr_destroy(&a);
	arc4random_buf(&t->seed, sizeof(t->seed));
}

void
srckey_of(const struct sockaddr *sa, struct srckey *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		memcpy(k->a, v4mapped, 12);
		memcpy(k->a + 12, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		/* An IPv4-mapped peer is that IPv4 address, not a /64. */
		memcpy(k->a, &sin6->sin6_addr, 16);
		if (memcmp(k->a, v4mapped, 12) != 0)
			memset(k->a + 8, 0, 8);
	}
}

long long
srctab_penalty(struct srctab *t, const struct srckey *k, long long now)
{
	struct srcent *e;
	long long left = 0;

	if (lock(t) == -1)
		return 0;
	if ((e = find(t, k, false, now)) != NULL && e->penalised) {
		if (e->penalty_until > now)
			left = e->penalty_until - now;
		else
			e->penalised = false;
	}
	unlock(t);
	return left;
}

long long
srctab_penalise(struct srctab *t, const struct srckey *k, long long add_ms,
    long long min_ms, long long max_ms, long long now)
{
	struct srcent *e;
	long long left = 0;
	bool was;

	if (add_ms <= 0 || lock(t) == -1)
		return 0;
	if ((e = find(t, k, true, now)) != NULL) {
		if (e->penalty_until < now) {
			e->penalty_until = now;
			e->accrued = 0;
			e->penalised = false;
		}
		was = e->penalised;
		e->penalty_until += add_ms;
		if (e->penalty_until > now + max_ms)
			e->penalty_until = now + max_ms;
		/* What accrued, not what is left: penalties are whole. */
		if ((e->accrued += add_ms) >= min_ms)
			e->penalised = true;
		if (e->penalised && !was)
			left = e->penalty_until - now;
	}
	unlock(t);
	return left;
}

bool
srctab_may_log(struct srctab *t, const struct srckey *k, unsigned burst,
    long long window_ms, long long now)
{
	struct srcent *e;
	bool ok = true;

	if (lock(t) == -1)
		return true;
	if ((e = find(t, k, true, now)) != NULL) {
		if (now - e->log_window >= window_ms) {
			e->log_window = now;
			e->logged = 0;
		}
		ok = e->logged < burst;
		e->logged += ok;
	}
	unlock(t);
	return ok;
}

/* The source's entry; with create, a new one in place of the one least
 * worth keeping in its probe window. */
static struct srcent *
find(struct srctab *t, const struct srckey *k, bool create, long long now)
{
	size_t h = hash(t, k);
	struct srcent *e, *victim = NULL;

	for (size_t i = 0; i < SRCTAB_PROBE; i++) {
		e = &t->ent[(h + i) & (SRCTAB_SIZE - 1)];
		if (e->used && memcmp(&e->key, k, sizeof(*k)) == 0) {
			e->seen_ms = now;
			return e;
		}
		if (victim == NULL || worth(e, now) < worth(victim, now))
			victim = e;
	}
	if (!create)
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->key = *k;
	victim->used = true;
	victim->seen_ms = now;
	return victim;
}

/* FNV-1a over a secret seed and the key: good enough to spread keys an
 * attacker cannot aim at one window without knowing the seed. */
static size_t
hash(const struct srctab *t, const struct srckey *k)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ t->seed;

	for (size_t i = 0; i < sizeof(k->a); i++)
		h = (h ^ k->a[i]) * 0x100000001b3ULL;
	return (size_t)(h ^ (h >> 29));
}

/* Free entries first, then the least recently seen; a running penalty
 * counts as being seen until it ends. */
static long long
worth(const struct srcent *e, long long now)
{
	if (!e->used)
		return -1;
	if (e->penalised && e->penalty_until > now)
		return e->penalty_until;
	return e->seen_ms;
}

static int
lock(struct srctab *t)
{
	int r = pthread_mutex_lock(&t->lock);

	/* Its holder died: what it left is counters, consistent enough. */
	if (r == EOWNERDEAD)
		r = pthread_mutex_consistent(&t->lock);
	if (r != 0) {
		log_warnx("srctab: lock: %s", strerror(r));
		return -1;
	}
	return 0;
}

static void
unlock(struct srctab *t)
{
	(void)pthread_mutex_unlock(&t->lock);
}
