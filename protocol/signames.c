/* SPDX-License-Identifier: ISC */
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "signames.h"

struct signame {
	int		 number;
	const char	*name;
	int		 forwardable;
};

static const struct signame signames[] = {
	{ SIGHUP, "HUP", 1 },
	{ SIGINT, "INT", 1 },
	{ SIGQUIT, "QUIT", 1 },
	{ SIGILL, "ILL", 0 },
	{ SIGTRAP, "TRAP", 0 },
	{ SIGABRT, "ABRT", 0 },
	{ SIGBUS, "BUS", 0 },
	{ SIGFPE, "FPE", 0 },
	{ SIGKILL, "KILL", 1 },
	{ SIGUSR1, "USR1", 1 },
	{ SIGSEGV, "SEGV", 0 },
	{ SIGUSR2, "USR2", 1 },
	{ SIGPIPE, "PIPE", 0 },
	{ SIGALRM, "ALRM", 0 },
	{ SIGTERM, "TERM", 1 },
	{ SIGCHLD, "CHLD", 0 },
	{ SIGCONT, "CONT", 0 },
	{ SIGSTOP, "STOP", 0 },
	{ SIGTSTP, "TSTP", 0 },
	{ SIGTTIN, "TTIN", 0 },
	{ SIGTTOU, "TTOU", 0 },
	{ SIGURG, "URG", 0 },
	{ SIGXCPU, "XCPU", 0 },
	{ SIGXFSZ, "XFSZ", 0 },
	{ SIGVTALRM, "VTALRM", 0 },
	{ SIGPROF, "PROF", 0 },
	{ SIGWINCH, "WINCH", 0 },
	{ SIGIO, "IO", 0 },
	{ SIGPWR, "PWR", 0 },
	{ SIGSYS, "SYS", 0 },
};

#define NSIGNAMES	(sizeof(signames) / sizeof(signames[0]))

static const struct signame *
by_number(int signo)
{
	for (size_t i = 0; i < NSIGNAMES; i++)
		if (signames[i].number == signo)
			return &signames[i];
	return NULL;
}

int
signame_forwardable(int signo)
{
	const struct signame *s = by_number(signo);
	return s != NULL && s->forwardable;
}

const char *
signame_from_number(int signo)
{
	const struct signame *s = by_number(signo);
	return s != NULL ? s->name : NULL;
}

int
signame_to_number(const char *name)
{
	for (size_t i = 0; i < NSIGNAMES; i++)
		if (strcmp(signames[i].name, name) == 0)
			return signames[i].number;
	return -1;
}
