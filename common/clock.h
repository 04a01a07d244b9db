/* The one clock both programs measure time with: monotonic. */
#ifndef REXEC_CLOCK_H
#define REXEC_CLOCK_H

long long	now_ms(void);
long long	now_us(void);

#endif
