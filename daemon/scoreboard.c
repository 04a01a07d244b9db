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
	sb->nslots = WORKERS_LIMIT;
	return sb;
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
	size_t n = 0;

	for (size_t i = 0; i < sb->nslots; i++) {
		const struct slot *s = &sb->slot[i];
		if (slot_state(s) == st && (gen_any || s->generation == gen))
			n++;
	}
	return n;
}
