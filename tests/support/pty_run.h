/* SPDX-License-Identifier: ISC */
/*
 * Run a program (the real rexec) on a pseudo-terminal, as a user at a
 * terminal would: type into it, read what it shows, resize its window,
 * and compare the terminal's settings before and after.  The harness
 * keeps the slave open too, so the settings outlive the program.
 */
#ifndef REXEC_TEST_PTY_RUN_H
#define REXEC_TEST_PTY_RUN_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

struct pty_run {
	pid_t		 pid;
	int		 master;
	int		 slave;
	struct termios	 before;
	char		*out;		/* all shown so far, NUL-terminated */
	size_t		 len;
	size_t		 seen;		/* pty_expect looks after this */
	bool		 exited;
	int		 status;	/* wait status, once exited */
};

struct pty_opts {
	unsigned short	 rows, cols;	/* 0: 24 x 80 */
	const char	*term;		/* TERM; NULL: unset */
	const char	*err_path;	/* stderr to this file, not the pty */
};

/* Starts argv (argv[0] the path) on a new pty; opts may be NULL. */
void	pty_spawn(struct pty_run *, const struct pty_opts *,
	    const char *const *argv);
/* Types s. */
void	pty_type(struct pty_run *, const char *s);
/* Waits (bounded) until the output after the last match holds needle;
 * 0, or -1 (the output so far is in out). */
int	pty_expect(struct pty_run *, const char *needle, int timeout_ms);
/* Changes the window size: the program gets SIGWINCH. */
void	pty_resize(struct pty_run *, unsigned short rows, unsigned short cols);
/* Reads until the program exits (bounded: then killed, the test fails);
 * returns its wait status. */
int	pty_wait(struct pty_run *, int timeout_ms);
/* Whether the terminal's settings are those it had at the start. */
bool	pty_settings_unchanged(const struct pty_run *);
void	pty_free(struct pty_run *);

#endif
