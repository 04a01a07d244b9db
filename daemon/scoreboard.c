#include <sys/mman.h>

#include <string.h>

#include "log.h"
#include "scoreboard.h"

struct scoreboard *
scoreboard_create(void)
{
	struct scoreboard *sb;

	sb = mmap(NULL, sizeof(*sb), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		fatal("scoreboard mmap");
	memset(sb, 0, sizeof(*sb));
	return sb;
}

size_t
scoreboard_slots(const struct scoreboard *sb)
{
	return __atomic_load_n(&sb->nslots, __ATOMIC_ACQUIRE);
}

struct slot *
scoreboard_take(struct scoreboard *sb)
{
	for (size_t i = 0; i < WORKERS_LIMIT; i++) {
		if (slot_state(&sb->slot[i]) != SLOT_DEAD)
			continue;
		if (i >= sb->nslots)
			__atomic_store_n(&sb->nslots, i + 1, __ATOMIC_RELEASE);
		return &sb->slot[i];
	}
	return NULL;
}

void
slot_set_state(struct slot *s, enum slot_state st)
{
	__atomic_store_n(&s->state, (int)st, __ATOMIC_RELEASE);
}

enum slot_state
slot_state(const struct slot *s)
{
	return (enum slot_state)__atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

size_t
scoreboard_count(const struct scoreboard *sb, enum slot_state st,
    unsigned gen, int gen_any)
{
	size_t n = 0, nslots = scoreboard_slots(sb);

	for (size_t i = 0; i < nslots; i++) {
		const struct slot *s = &sb->slot[i];
		if (slot_state(s) == st && (gen_any || s->generation == gen))
			n++;
	}
	return n;
}
