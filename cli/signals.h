/* SPDX-License-Identifier: ISC */
/* Signals the user sends rexec, read from a signalfd and forwarded. */
#ifndef REXEC_CLI_SIGNALS_H
#define REXEC_CLI_SIGNALS_H

/* Blocks INT, TERM, HUP and QUIT (those not ignored) and WINCH; returns
 * a non-blocking signalfd or -1. */
int	signals_open(void);
/* The signalfd, -1 before signals_open and after signals_close. */
int	signals_fd(void);
void	signals_close(void);
/* Nothing is left to forward a signal to (every command ended): a
 * pending one that ends rexec ends it now, the terminal restored. */
void	signals_end_now(void);
/* The next pending signal number, 0 when none, -1 on error. */
int	signals_next(int sigfd);

#endif
