/* SPDX-License-Identifier: ISC */
/*
 * The rexec under test under ssh's grammar: a private directory holding
 * the links "rexec-ssh" and "ssh" to it (pdsh and pdcp run "ssh" from
 * PATH), made once per test process.
 */
#ifndef REXEC_TEST_SSHLINK_H
#define REXEC_TEST_SSHLINK_H

/* The directory (for PATH) and the rexec-ssh link in it. */
const char	*sshlink_dir(void);
const char	*rexec_ssh_bin(void);
/* Removes the links and the directory. */
void		 sshlink_remove(void);

#endif
