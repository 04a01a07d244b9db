/* SPDX-License-Identifier: ISC */
/*
 * The rules sshd admits an account by, for an account a client asks
 * for: not locked, not expired, a valid login shell.
 */
#ifndef REXECD_ACCTRULES_H
#define REXECD_ACCTRULES_H

/*
 * NULL when the account name (with login shell shell, "" for /bin/sh)
 * may be used, else the rule it breaks, for the log.  The shadow rules
 * (locked, expired) need root to read /etc/shadow: without, they are
 * skipped.
 */
const char	*acct_refusal(const char *name, const char *shell);

#endif
