/* SPDX-License-Identifier: ISC */
#include <sys/prctl.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"

void
privsep_worker(const struct config *cf)
{
	if (cf->worker_drop) {
		if (setgroups(1, &cf->worker_gid) == -1 ||
		    setresgid(cf->worker_gid, cf->worker_gid,
		    cf->worker_gid) == -1 ||
		    setresuid(cf->worker_uid, cf->worker_uid,
		    cf->worker_uid) == -1)
			fatal("cannot become %s", cf->worker_user);
		if (setuid(0) != -1 || errno != EPERM)
			fatalx("could regain root after becoming %s",
			    cf->worker_user);
	}
#ifndef __SANITIZE_ADDRESS__
	/* After the switch: changing credentials resets it.  (Not under
	 * LeakSanitizer, which must trace the process at its exit.) */
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		fatal("PR_SET_DUMPABLE");
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
}
