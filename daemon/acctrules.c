/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <paths.h>
#include <shadow.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acctrules.h"

#define DAY_SECONDS	86400

static const char	*shadow_refusal(const char *name);
static const char	*shell_refusal(const char *shell);
static bool		 shell_listed(const char *shell);

const char *
acct_refusal(const char *name, const char *shell)
{
	const char *why;

	if ((why = shadow_refusal(name)) != NULL)
		return why;
	/* passwd(5): an empty shell field is the Bourne shell. */
	return shell_refusal(shell[0] != '\0' ? shell : _PATH_BSHELL);
}

/* As sshd without PAM: "!" locks, sp_expire is the first day refused. */
static const char *
shadow_refusal(const char *name)
{
	struct spwd *sp;
	long today = (long)(time(NULL) / DAY_SECONDS);

	/* Not root: /etc/shadow is not ours to read, and what answers
	 * instead (nss-systemd: root as "!*") is no account's truth.  The
	 * master checks again as root. */
	if (geteuid() != 0)
		return NULL;
	/* No shadow entry (an NSS source without one). */
	if ((sp = getspnam(name)) == NULL)
		return NULL;
	if (sp->sp_pwdp != NULL && sp->sp_pwdp[0] == '!')
		return "account locked";
	if (sp->sp_expire != -1 && today >= sp->sp_expire)
		return "account expired";
	return NULL;
}

/* /bin/sh -c would bypass the shell: nologin must refuse here. */
static const char *
shell_refusal(const char *shell)
{
	const char *base = strrchr(shell, '/');
	struct stat st;

	base = base != NULL ? base + 1 : shell;
	if (strcmp(base, "nologin") == 0 || strcmp(base, "false") == 0)
		return "shell is nologin or false";
	if (!shell_listed(shell))
		return "shell not in /etc/shells";
	if (stat(shell, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) == 0)
		return "shell not executable";
	return NULL;
}

static bool
shell_listed(const char *shell)
{
	const char *s;
	bool found = false;

	setusershell();
	while (!found && (s = getusershell()) != NULL)
		found = strcmp(s, shell) == 0;
	endusershell();
	return found;
}
