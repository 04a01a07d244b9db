#include <sys/mman.h>

#include <stdbool.h>
#include <stddef.h>

#include "authlog.h"
#include "clock.h"
#include "log.h"

struct authlog {
	long long	window_start;
	unsigned	logged;		/* in this window */
	unsigned	suppressed;	/* since the last report */
};

static struct authlog *shared;

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
authlog_refused(const char *peer, const char *reason)
{
	struct authlog *a = shared;

	if (a == NULL) {
		log_warnx("%s: refused: %s", peer, reason);
		return;
	}
	next_window(a, now_ms());
	if (__atomic_add_fetch(&a->logged, 1, __ATOMIC_ACQ_REL) <= AUTHLOG_BURST)
		log_warnx("%s: refused: %s", peer, reason);
	else
		(void)__atomic_add_fetch(&a->suppressed, 1, __ATOMIC_ACQ_REL);
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
