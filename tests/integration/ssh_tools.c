/* SPDX-License-Identifier: ISC */
/*
 * The real tools that run ssh, through rexec-ssh (files.md, issue 20
 * point 3): scp (SFTP mode and -O), sftp, sshfs, rsync, git, pdsh, pdcp,
 * rpdcp, clush and GNU parallel, against a real rexecd whose default sftp
 * subsystem is the system's sftp-server.  "The host" is 127.0.0.1 (and
 * localhost, for a second name); files go between directories of one
 * private temporary tree.  A tool that is not installed is skipped, said
 * so (.ci/deps.sh installs them all).
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "rexec_run.h"
#include "rexecd_proc.h"
#include "sshlink.h"

/* Exit status of a script that found the machine unable (no FUSE). */
#define SKIP_STATUS	77
#define TOOL_TIMEOUT_MS	60000

static struct rexecd_proc d;
static char dir[] = "/tmp/sshcli-tools-XXXXXX";

/*
 * The source tree every copy starts from: names of any bytes (UTF-8,
 * quotes, brackets, spaces, a newline), a subdirectory, an empty file,
 * a mode; src-o is the same without the newline, which scp -O's
 * protocol cannot carry (its lines end at newlines, over ssh too).
 */
static const char make_tree[] =
    "set -e; cd \"$T\"; mkdir -p src/tree/sub home\n"
    "echo a > src/a.txt\n"
    "echo b > \"src/汉语-['foo bar'].txt\"\n"
    "echo c > 'src/sp ace'; : > src/empty\n"
    "head -c 100000 /dev/urandom > src/tree/sub/bin; chmod 751 src/tree/sub/bin\n"
    "cp -a src src-o\n"
    "echo d > \"src/$(printf 'new\\nline')\"\n";

static int	 sh(struct rexec_run *, const char *script);

static void
setup(void)
{
	struct rexec_run r;

	cr_assert_not_null(mkdtemp(dir));
	rexecd_start(&d, NULL, NULL);
	cr_assert_eq(sh(&r, make_tree), 0, "%s", r.err);
	rexec_run_free(&r);
}

static void
teardown(void)
{
	struct rexec_run r;

	cr_expect_eq(rexecd_stop(&d), 0, "rexecd did not exit 0");
	sh(&r, "cd / && rm -rf \"$T\"");
	rexec_run_free(&r);
	sshlink_remove();
}

TestSuite(ssh_tools, .init = setup, .fini = teardown, .timeout = 180);

/*
 * sh -c script in $T, with rexec-ssh and ssh first in PATH, the daemon's
 * port in REXEC_PORT and $P, and a HOME of its own; the wait status.
 */
static int
sh(struct rexec_run *r, const char *script)
{
	static char path[PATH_MAX * 2], port[32], t[PATH_MAX], p[32];
	static char home[PATH_MAX + 16];
	const char *env[] = { path, port, t, p, home, "LC_ALL=C.UTF-8",
	    NULL };
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct rexec_opts o = { .env = env, .timeout_ms = TOOL_TIMEOUT_MS };

	snprintf(path, sizeof(path), "PATH=%s:%s", sshlink_dir(),
	    getenv("PATH") != NULL ? getenv("PATH") : "/usr/bin:/bin");
	snprintf(port, sizeof(port), "REXEC_PORT=%d", d.port);
	snprintf(p, sizeof(p), "P=%d", d.port);
	snprintf(t, sizeof(t), "T=%s", dir);
	snprintf(home, sizeof(home), "HOME=%s/home", dir);
	rexec_spawn(r, &o, argv);
	return rexec_wait(r);
}

static void
need(const char *tool)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) != 0)
		cr_skip_test("%s is not installed (.ci/deps.sh installs it)",
		    tool);
}

/* The script ran to the end (it prints "done" last). */
static void
run_ok(const char *script)
{
	struct rexec_run r;
	int st = sh(&r, script);

	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "status %#x\nstdout: %s\nstderr: %s", st, r.out, r.err);
	cr_assert_not_null(strstr(r.out, "done\n"), "stdout: %s", r.out);
	rexec_run_free(&r);
}

/* scp's default SFTP mode: the daemon's sftp subsystem, both ways, -r. */
Test(ssh_tools, scp_sftp_mode_both_ways)
{
	need("scp");
	run_ok("set -e; cd \"$T\"\n"
	    "scp -q -S rexec-ssh -r src 127.0.0.1:\"$T/up\"\n"
	    "diff -r src up\n"
	    "scp -q -S rexec-ssh -r 127.0.0.1:\"$T/up\" down\n"
	    "diff -r src down\n"
	    "scp -q -S rexec-ssh \"src/汉语-['foo bar'].txt\" "
	    "\"127.0.0.1:$T/one\"\n"
	    "cmp one \"src/汉语-['foo bar'].txt\"\n"
	    "test \"$(stat -c %a up/tree/sub/bin)\" = 751\n"
	    "echo done\n");
}

/* scp -O: scp -t and scp -f on the host, through the account's shell. */
Test(ssh_tools, scp_legacy_mode_both_ways)
{
	need("scp");
	run_ok("set -e; cd \"$T\"\n"
	    "scp -q -O -S rexec-ssh -r src-o 127.0.0.1:\"$T/up\"\n"
	    "diff -r src-o up\n"
	    "scp -q -O -S rexec-ssh -r 127.0.0.1:\"$T/up\" down\n"
	    "diff -r src-o down\n"
	    "scp -q -O -S rexec-ssh 'src/sp ace' \"127.0.0.1:$T/one\"\n"
	    "cmp one 'src/sp ace'\n"
	    "echo done\n");
}

/* sftp with commands on a pipe, and with -b; names of any bytes. */
Test(ssh_tools, sftp_interactive_and_batch)
{
	need("sftp");
	run_ok("set -e; cd \"$T\"; mkdir box\n"
	    "printf '%s\\n' \"cd $T/box\" 'put \"src/汉语-['\\''foo bar'\\''].txt\"' "
	    "'mkdir d' 'rename \"汉语-['\\''foo bar'\\''].txt\" \"d/x y\"' 'ls d' "
	    "| sftp -S rexec-ssh 127.0.0.1 > listing\n"
	    "grep -q 'x y' listing\n"
	    "cmp \"box/d/x y\" \"src/汉语-['foo bar'].txt\"\n"
	    /* A batch is lines: the newline is matched by a glob. */
	    "printf '%s\\n' \"get $T/src/new?line got\" "
	    "\"put src/a.txt $T/box/a\" \"rm $T/box/d/x?y\" > batch\n"
	    "sftp -q -b batch -S rexec-ssh 127.0.0.1\n"
	    "cmp got \"src/$(printf 'new\\nline')\"; cmp box/a src/a.txt\n"
	    "test ! -e 'box/d/x y'\n"
	    "echo done\n");
}

/* sshfs mounted, read and written, unmounted (where FUSE can mount). */
Test(ssh_tools, sshfs_read_and_write)
{
	struct rexec_run r;
	int st;

	need("sshfs");
	need("fusermount3");
	if (access("/dev/fuse", R_OK | W_OK) != 0)
		cr_skip_test("sshfs: /dev/fuse cannot be opened here");
	st = sh(&r, "cd \"$T\"; mkdir mnt\n"
	    "if ! sshfs -o ssh_command=rexec-ssh \"127.0.0.1:$T/src\" mnt "
	    "2> why; then cat why; exit 77; fi\n"
	    "ok=0\n"
	    "cmp \"mnt/汉语-['foo bar'].txt\" \"src/汉语-['foo bar'].txt\" &&\n"
	    "  cmp mnt/tree/sub/bin src/tree/sub/bin &&\n"
	    "  echo written > 'mnt/new file' &&\n"
	    "  test \"$(cat 'src/new file')\" = written &&\n"
	    "  mv 'mnt/new file' \"mnt/$(printf 'n\\nl')\" &&\n"
	    "  test -e \"src/$(printf 'n\\nl')\" && ok=1\n"
	    "fusermount3 -u mnt || exit 1\n"
	    "test $ok = 1 && echo done\n");
	if (WIFEXITED(st) && WEXITSTATUS(st) == SKIP_STATUS) {
		rexec_run_free(&r);
		cr_skip_test("sshfs cannot mount here: %s", r.out);
	}
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    strstr(r.out, "done\n") != NULL, "status %#x\nstdout: %s\n"
	    "stderr: %s", st, r.out, r.err);
	rexec_run_free(&r);
}

Test(ssh_tools, rsync_both_ways)
{
	need("rsync");
	run_ok("set -e; cd \"$T\"\n"
	    "rsync -a -e rexec-ssh src/ \"127.0.0.1:$T/up/\"\n"
	    "diff -r src up\n"
	    "rsync -a -e 'rexec-ssh -o Port='\"$P\" \"root@127.0.0.1:$T/up/\" "
	    "down/\n"
	    "diff -r src down\n"
	    "echo done\n");
}

/* git's -G probe passes: ssh:// URLs with a port become -p. */
Test(ssh_tools, git_clone_and_push)
{
	need("git");
	run_ok("set -e; cd \"$T\"; export GIT_SSH_COMMAND=rexec-ssh\n"
	    "git init -q --bare -b main repo.git\n"
	    "git init -q -b main work; cd work; echo one > f; git add f\n"
	    "git -c user.name=t -c user.email=t@t commit -qm one\n"
	    "git push -q \"127.0.0.1:$T/repo.git\" main\n"
	    "cd ..; unset REXEC_PORT\n"
	    "git clone -q \"ssh://127.0.0.1:$P$T/repo.git\" clone\n"
	    "test \"$(cat clone/f)\" = one\n"
	    "cd clone; echo two > f; git -c user.name=t -c user.email=t@t "
	    "commit -qam two\n"
	    "git push -q origin main\n"
	    "test \"$(git -C ../repo.git log -1 --format=%s main)\" = two\n"
	    "echo done\n");
}

/* pdsh's ssh module, pdcp and rpdcp run "ssh": the link first in PATH. */
Test(ssh_tools, pdsh_pdcp_rpdcp)
{
	need("pdsh");
	need("pdcp");
	run_ok("set -e; cd \"$T\"; mkdir to from\n"
	    "pdsh -R ssh -w 127.0.0.1,localhost 'echo \"$SSH_CONNECTION\" | "
	    "cut -d\" \" -f3' | sort > out\n"
	    "printf '127.0.0.1: 127.0.0.1\\nlocalhost: 127.0.0.1\\n' | cmp - out\n"
	    "pdsh -R ssh -l root -w 127.0.0.1 id -un | grep -qx '127.0.0.1: root'\n"
	    "pdcp -R ssh -w 127.0.0.1 -r src/tree src/a.txt \"$T/to\"\n"
	    "diff -r src/tree to/tree; cmp src/a.txt to/a.txt\n"
	    "rpdcp -R ssh -w 127.0.0.1,localhost \"$T/src/a.txt\" from\n"
	    "cmp from/a.txt.127.0.0.1 src/a.txt\n"
	    "cmp from/a.txt.localhost src/a.txt\n"
	    "echo done\n");
}

/* clush with ssh_path from a clush.conf of our own, and --copy by scp. */
Test(ssh_tools, clush_ssh_path_and_copy)
{
	need("clush");
	need("scp");
	run_ok("set -e; cd \"$T\"; mkdir conf to\n"
	    "printf '[Main]\\nssh_path: rexec-ssh\\nscp_path: scp\\n"
	    "scp_options: -S rexec-ssh\\n' > conf/clush.conf\n"
	    "export CLUSTERSHELL_CFGDIR=\"$T/conf\"\n"
	    "clush -N -w 127.0.0.1,localhost 'echo $0' | sort -u > out\n"
	    "test \"$(wc -l < out)\" = 1\n"
	    "clush -w 127.0.0.1 --copy src/a.txt \"src/汉语-['foo bar'].txt\" "
	    "--dest \"$T/to\"\n"
	    "cmp to/a.txt src/a.txt\n"
	    "cmp \"to/汉语-['foo bar'].txt\" \"src/汉语-['foo bar'].txt\"\n"
	    "unset CLUSTERSHELL_CFGDIR\n"
	    "clush -O ssh_path=rexec-ssh -w 127.0.0.1 -b true\n"
	    "echo done\n");
}

/* GNU parallel: "host -- exec perl ..." must lose its "--". */
Test(ssh_tools, gnu_parallel)
{
	need("parallel");
	run_ok("set -e; cd \"$T\"\n"
	    "parallel --will-cite --ssh \"rexec-ssh -p $P\" -S 127.0.0.1 "
	    "'echo {}-$((1+1))' ::: a b c 2> err | sort > out\n"
	    "printf 'a-2\\nb-2\\nc-2\\n' | cmp - out\n"
	    "test ! -s err || { cat err; exit 1; }\n"
	    "echo done\n");
}
