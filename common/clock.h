/* SPDX-License-Identifier: ISC */
/* The one clock both programs measure time with: monotonic. */
#ifndef REXEC_CLOCK_H
#define REXEC_CLOCK_H

long long	now_ms(void);
long long	now_us(void);

/* Deadlines are now_ms() times, 0 for none: t becomes the earlier. */
void		deadline_merge(long long *t, long long at);
/* The poll(2) timeout until deadline t: -1 for none, 0 once past, at most
 * a day (an int of ms must not overflow). */
int		deadline_timeout(long long t, long long now);

#endif
