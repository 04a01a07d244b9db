/* SPDX-License-Identifier: ISC */
#include <sys/mman.h>

#include <stdbool.h>
#include <stddef.h>

#include "authlog.h"
#include "clock.h"
#include "errcode.h"
#include "log.h"
#include "textsafe.h"

struct authlog {
	long long	window_start;
	unsigned	logged;		/* in this window */
	unsigned	suppressed;	/* since the last report */
};

static struct authlog *shared;

static bool	may_log(struct srctab *, const struct srckey *);
static void	next_window(struct authlog *a, long long now);

void
authlog_init(void)
{
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		fatal("mmap");
}

void
authlog_refused(struct srctab *t, const struct srckey *k, const char *peer,
    const char *reason)
{
	char safe[TEXTSAFE_SIZE(PROTO_ERRMSG_MAX)];

	if (may_log(t, k))
		log_warnx("%s: refused: %s", peer,
		    text_safe_str(safe, sizeof(safe), reason, 0));
}

void
authlog_error(struct srctab *t, const struct srckey *k, const char *peer,
    const char *code, const char *message)
{
	char safe[TEXTSAFE_SIZE(PROTO_ERRMSG_MAX)];

	if (may_log(t, k))
		log_info("%s: %s error: %s", peer, code,
		    text_safe_str(safe, sizeof(safe), message, 0));
}

/* The address's budget, then everyone's. */
static bool
may_log(struct srctab *t, const struct srckey *k)
{
	struct authlog *a = shared;
	long long now = now_ms();

	if (a == NULL)
		return true;
	next_window(a, now);
	if (srctab_may_log(t, k, AUTHLOG_BURST, AUTHLOG_WINDOW_MS, now) &&
	    __atomic_add_fetch(&a->logged, 1, __ATOMIC_ACQ_REL) <=
	    AUTHLOG_BURST_ALL)
		return true;
	(void)__atomic_add_fetch(&a->suppressed, 1, __ATOMIC_ACQ_REL);
	return false;
}

/* The first worker to see a window expire starts the next one. */
static void
next_window(struct authlog *a, long long now)
{
	long long start = __atomic_load_n(&a->window_start, __ATOMIC_ACQUIRE);
	unsigned missed;

	if (now - start < AUTHLOG_WINDOW_MS ||
	    !__atomic_compare_exchange_n(&a->window_start, &start, now, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&a->logged, 0, __ATOMIC_RELEASE);
	missed = __atomic_exchange_n(&a->suppressed, 0, __ATOMIC_ACQ_REL);
	if (missed > 0)
		log_warnx("%u more refused connections not logged", missed);
}
