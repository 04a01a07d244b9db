/* SPDX-License-Identifier: ISC */
/*
 * rexec-ssh's grammar (cli/sshgrammar.c): ssh command lines, many of them
 * exactly as scp, sftp, sshfs, pdsh, pdcp, rsync, git, clush, GNU
 * parallel and unison pass them, read into rexec's options.
 */
#include <sys/socket.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "fwdspec.h"
#include "options.h"
#include "sshgrammar.h"
#include "sshkeywords.h"

#define ARGS_MAX	32
#define OUT_MAX		4096

static void
quiet(void)
{
	cr_redirect_stderr();
}

TestSuite(sshgrammar, .init = quiet);

static void
put(char *out, const char *fmt, ...)
{
	size_t off = strlen(out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out + off, OUT_MAX - off, fmt, ap);
	va_end(ap);
}

static void
put_fwd(char *out, const char *tag, const struct fwd_spec *f)
{
	put(out, " %s=%s%s%d:%s:%d", tag, f->bind != NULL ? f->bind : "",
	    f->bind != NULL ? ":" : "", f->port, f->host, f->hostport);
}

/* What the options say, non-defaults only, in a fixed order. */
static void
describe(char *out, const struct options *o)
{
	const struct sshopts *so = &o->ssh;

	put(out, "%s%s%s%s%s", o->user ? " user=" : "", o->user ? o->user : "",
	    o->port ? " port=" : "", o->port ? o->port : "",
	    o->subsystem ? " sub" : "");
	put(out, "%s%s%s%s", o->no_stdin ? " nostdin" : "",
	    o->pty ? " pty" : "", o->no_pty ? " nopty" : "",
	    o->pty_tty ? " ptytty" : "");
	if (o->verbose)
		put(out, " v=%d", o->verbose);
	put(out, "%s%s%s%s", so->quiet ? " q" : "",
	    so->print_config ? " G" : "",
	    so->family == AF_INET ? " 4" : "",
	    so->family == AF_INET6 ? " 6" : "");
	if (so->port || so->user || so->hostname)
		put(out, " o=%s/%s/%s", so->port ? so->port : "",
		    so->user ? so->user : "", so->hostname ? so->hostname : "");
	if (so->connect_timeout > 0)
		put(out, " ct=%g", so->connect_timeout);
	if (so->escape != 0)
		put(out, " esc=%d", so->escape);
	if (so->remote_command)
		put(out, " remote=%s", so->remote_command);
	for (size_t i = 0; i < so->nsendenv; i++)
		put(out, " sendenv=%s", so->sendenv[i]);
	for (size_t i = 0; i < so->nsetenv; i++)
		put(out, " setenv=%s", so->setenv[i]);
	for (size_t i = 0; i < so->fwd.nlocal; i++)
		put_fwd(out, "L", &so->fwd.local[i]);
	if (so->fwd.stdio.host != NULL)
		put(out, " W=%s:%d", so->fwd.stdio.host, so->fwd.stdio.hostport);
	put(out, "%s%s%s", so->fwd.gateway ? " g" : "",
	    so->fwd.no_command ? " N" : "", so->fwd.background ? " f" : "");
}

/*
 * The words (after "ssh") parsed: "ERR", "DONE", or "host [cmd|words]"
 * and describe()'s fields.
 */
static char *
parse(const char *const *words)
{
	static char out[OUT_MAX];
	char *argv[ARGS_MAX + 2], *copies[ARGS_MAX + 2];
	struct options o = { 0 };
	int argc = 0, first;

	for (argv[argc++] = strdup("rexec-ssh"); *words != NULL &&
	    argc <= ARGS_MAX; words++)
		argv[argc++] = strdup(*words);
	argv[argc] = NULL;
	memcpy(copies, argv, sizeof(argv));
	out[0] = '\0';
	first = sshgrammar_parse(argc, argv, &o);
	if (first == -1 || first == -2)
		strcpy(out, first == -1 ? "ERR" : "DONE");
	else {
		put(out, "%s [", first < argc ? argv[first] : "-");
		for (int i = first + 1; i < argc; i++)
			put(out, "%s%s", i > first + 1 ? "|" : "", argv[i]);
		put(out, "]");
		describe(out, &o);
	}
	sshopts_free(&o.ssh);
	for (int i = 0; i < argc; i++)
		free(copies[i]);
	return out;
}

struct ssh_case {
	const char	*argv[ARGS_MAX];
	const char	*want;
};

static const struct ssh_case cases[] = {
	/* scp 9.2, its SFTP mode and -O, to and from the host. */
	{ { "-x", "-oPermitLocalCommand=no", "-oClearAllForwardings=yes",
	    "-oRemoteCommand=none", "-oRequestTTY=no", "-oForwardAgent=no",
	    "-s", "--", "h", "sftp" }, "h [sftp] sub nopty" },
	{ { "-x", "-oPermitLocalCommand=no", "-oClearAllForwardings=yes",
	    "-oRemoteCommand=none", "-oRequestTTY=no", "-oForwardAgent=no",
	    "--", "h", "scp -t /tmp/" }, "h [scp -t /tmp/] nopty" },
	{ { "-x", "-oPermitLocalCommand=no", "-oClearAllForwardings=yes",
	    "-oRemoteCommand=none", "-oRequestTTY=no", "-oForwardAgent=no",
	    "--", "h", "scp -r -f /tmp/f" }, "h [scp -r -f /tmp/f] nopty" },
	/* scp -S, as clush --copy runs it (-o ConnectTimeout in two words). */
	{ { "-x", "-oPermitLocalCommand=no", "-oClearAllForwardings=yes",
	    "-oRemoteCommand=none", "-oRequestTTY=no", "-o",
	    "ConnectTimeout=15", "-oForwardAgent=no", "-s", "--", "h1",
	    "sftp" }, "h1 [sftp] sub nopty ct=15" },
	/* sftp: "-oNAME VALUE" in one word. */
	{ { "-oForwardX11 no", "-oPermitLocalCommand no",
	    "-oClearAllForwardings yes", "-obatchmode yes",
	    "-oForwardAgent no", "-l", "u", "-s", "--", "h", "sftp" },
	    "h [sftp] user=u sub" },
	/* sshfs -o ssh_command=rexec-ssh. */
	{ { "-x", "-a", "-oClearAllForwardings=yes", "-2", "-s", "--", "h",
	    "sftp" }, "h [sftp] sub" },
	/* pdsh -R ssh, pdcp and rpdcp (a link named ssh). */
	{ { "-oConnectTimeout=10", "-2", "-a", "-x", "-lbob", "h1",
	    "uptime" }, "h1 [uptime] user=bob ct=10" },
	{ { "-2", "-a", "-x", "-l", "USER", "host", "hostname" },
	    "host [hostname] user=USER" },
	{ { "-oConnectTimeout=10", "-2", "-a", "-x", "h1",
	    "/usr/bin/pdcp -z /tmp" }, "h1 [/usr/bin/pdcp -z /tmp] ct=10" },
	/* rsync -e: its own options stay the command's. */
	{ { "h", "rsync", "--server", "-e.LsfxCIvu", ".", "/tmp/" },
	    "h [rsync|--server|-e.LsfxCIvu|.|/tmp/]" },
	{ { "-l", "u", "h", "rsync", "--server", "--sender", "-vlogDtpre.iLsfxCIvu",
	    ".", "src/" },
	    "h [rsync|--server|--sender|-vlogDtpre.iLsfxCIvu|.|src/] user=u" },
	/* git: the -G probe, then the command with -p. */
	{ { "-G", "-o", "SendEnv=GIT_PROTOCOL", "h" },
	    "h [] G sendenv=GIT_PROTOCOL" },
	{ { "-o", "SendEnv=GIT_PROTOCOL", "-p", "2222", "h",
	    "git-upload-pack 'repo'" },
	    "h [git-upload-pack 'repo'] port=2222 sendenv=GIT_PROTOCOL" },
	/* clush's ssh worker. */
	{ { "-oForwardAgent=no", "-oForwardX11=no", "-oConnectTimeout=15",
	    "-oBatchMode=yes", "h1", "uptime" }, "h1 [uptime] ct=15" },
	/* GNU parallel: "--" after the host ends the options, not sent. */
	{ { "h1", "--", "exec", "perl", "-X", "-e", "x" },
	    "h1 [exec|perl|-X|-e|x]" },
	/* unison: -e none. */
	{ { "-e", "none", "h", "unison", "-server" },
	    "h [unison|-server] esc=-1" },
	/* Options after the host, up to the first word that is not one. */
	{ { "h", "-p", "7", "-l", "u", "cmd", "-p", "8" },
	    "h [cmd|-p|8] user=u port=7" },
	{ { "-4", "h", "-6", "-v", "-v", "-q" }, "h [] v=2 q 6" },
	/* "--" before the host: nothing after it is an option. */
	{ { "-p", "7", "--", "h", "-l", "u" }, "h [-l|u] port=7" },
	{ { "--", "h" }, "h []" },
	{ { "h", "--" }, "h []" },
	{ { "h", "--", "--" }, "h [--]" },
	{ { "h", "cmd", "--", "x" }, "h [cmd|--|x]" },
	{ { "u@h", "id" }, "u@h [id]" },
	{ { "ssh://u@h:2222/", "id" }, "u@h:2222 [id]" },
	{ { "-p", "7", "ssh://[::1]:9", "-n" }, "[::1]:9 [] port=7 nostdin" },
	{ { "-n", "-T", "h", "true" }, "h [true] nostdin nopty" },
	/* -t once: a pty if stdin is a terminal; twice: always; -T wins after. */
	{ { "-t", "h", "top" }, "h [top] ptytty" },
	{ { "-tt", "h", "top" }, "h [top] pty" },
	{ { "-t", "-t", "-T", "h" }, "h [] nopty" },
	{ { "-oRequestTTY=force", "-T", "h" }, "h [] nopty" },
	{ { "-oRequestTTY=no", "-t", "h" }, "h [] ptytty" },
	{ { "-oRequestTTY=yes", "-oRequestTTY=no", "h" }, "h [] ptytty" },
	/* Escape characters: one byte, ^X, none. */
	{ { "-e", "^]", "h" }, "h [] esc=29" },
	{ { "-e", "#", "h" }, "h [] esc=35" },
	{ { "-oEscapeChar=none", "h" }, "h [] esc=-1" },
	{ { "-e", "ab", "h" }, "ERR" },
	/* Ignored letters, with and without their argument. */
	{ { "-a", "-A", "-C", "-k", "-K", "-M", "-x", "-X", "-Y", "-y", "-2",
	    "-b", "ADDR", "-c", "aes128-ctr", "-E", "/tmp/log", "-F", "cfg",
	    "-i", "id", "-m", "hmac", "-S", "/tmp/ctl", "-B", "eth0", "-I",
	    "lib", "h" }, "h []" },
	{ { "-P", "tag", "-ic", "h" }, "h []" },
	/* Keywords that take effect; the first value wins, as ssh's. */
	{ { "-o", "Port 7", "-oPort=8", "-oUser=u", "-oHostName=127.0.0.2",
	    "h" }, "h [] o=7/u/127.0.0.2" },
	{ { "-oAddressFamily=inet6", "-oStdinNull=yes", "h" },
	    "h [] nostdin 6" },
	{ { "-oSetEnv=A=1 \"B=two words\"", "-oSendEnv=LC_* LANG", "h" },
	    "h [] sendenv=LC_* sendenv=LANG setenv=A=1 setenv=B=two words" },
	{ { "-oRemoteCommand=uptime", "h" }, "h [] remote=uptime" },
	{ { "-oRemoteCommand=uptime", "h", "id" }, "ERR" },
	{ { "-oSessionType=subsystem", "h", "sftp" }, "h [sftp] sub" },
	{ { "-oConnectTimeout=0", "h" }, "ERR" },
	{ { "-oRequestTTY=sometimes", "h" }, "ERR" },
	/* Every other keyword is accepted, whatever its case. */
	{ { "-oProxyCommand=nc %h %p", "-oKEXALGORITHMS=x", "-oMatch=all",
	    "-oIdentityFile=~/.ssh/id", "-oPubkeyAcceptedKeyTypes=+ssh-rsa",
	    "h" }, "h []" },
	{ { "-oNoSuchKeyword=1", "h" }, "ERR" },
	{ { "-o", "Port", "h" }, "ERR" },
	/* Forwarding is parsed whole (forward.c does it). */
	{ { "-N", "-L", "8080:localhost:80", "-L", "[::1]:9:[fe80::1]:22",
	    "-g", "h" }, "h [] L=8080:localhost:80 L=::1:9:fe80::1:22 g N" },
	{ { "-L", "*:0:db:5432", "-L", ":1:h2:2", "-f", "h", "sleep", "9" },
	    "h [sleep|9] L=*:0:db:5432 L=:1:h2:2 f" },
	{ { "-oLocalForward=127.0.0.1:8 web:80", "-oGatewayPorts=yes", "h" },
	    "h [] L=127.0.0.1:8:web:80 g" },
	{ { "-W", "db:5432", "gw" }, "gw [] W=db:5432" },
	{ { "-W", "[::1]:22", "gw" }, "gw [] W=::1:22" },
	{ { "-L", "80:h", "h" }, "ERR" },
	{ { "-L", "x:h:80", "h" }, "ERR" },
	{ { "-L", "1:h:0", "h" }, "ERR" },
	{ { "-L", "1:/tmp/sock", "h" }, "ERR" },
	{ { "-L", "1:2:3:4:5", "h" }, "ERR" },
	{ { "-W", "db", "gw" }, "ERR" },
	{ { "-N", "h" }, "ERR" },
	{ { "-oSessionType=none", "h" }, "ERR" },
	/* Refused: -D -R -J -w, their keywords, -1 -Q, and -O. */
	{ { "-D", "1080", "h" }, "ERR" },
	{ { "-R", "80:h:80", "h" }, "ERR" },
	{ { "-J", "gw", "h" }, "ERR" },
	{ { "-w", "0:0", "h" }, "ERR" },
	{ { "-oProxyJump=gw", "h" }, "ERR" },
	{ { "-oDynamicForward=1080", "h" }, "ERR" },
	{ { "-oRemoteForward=80 h:80", "h" }, "ERR" },
	{ { "-oTunnel=yes", "h" }, "ERR" },
	{ { "-1", "h" }, "ERR" },
	{ { "-Q", "cipher" }, "ERR" },
	{ { "-O", "check", "h" }, "ERR" },
	{ { "-s", "h" }, "ERR" },
	{ { "-Z", "h" }, "ERR" },
	{ { "-p" }, "ERR" },
	{ { "h", "-l" }, "ERR" },
	{ { "-V" }, "DONE" },
	/* No host: the caller says so. */
	{ { "-v" }, "- [] v=1" },
	{ { "-G", "-p", "9", "h" }, "h [] port=9 G" },
};

Test(sshgrammar, command_lines)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = parse(cases[i].argv);

		cr_expect_str_eq(got, cases[i].want, "case %zu (%s ...): %s",
		    i, cases[i].argv[0], got);
	}
}

/* The messages name the option (files.md: "a usage error naming it"). */
Test(sshgrammar, messages_name_the_option)
{
	static const char *const d[] = { "-D", "1080", "h", NULL };
	static const char *const jump[] = { "-oProxyJump=gw", "h", NULL };
	static const char *const unknown[] = { "-oFrobnicate=1", "h", NULL };
	static const char *const ctl[] = { "-O", "exit", "h", NULL };

	fflush(stderr);
	cr_assert_str_eq(parse(d), "ERR");
	cr_assert_str_eq(parse(jump), "ERR");
	cr_assert_str_eq(parse(unknown), "ERR");
	cr_assert_str_eq(parse(ctl), "ERR");
	fflush(stderr);
	cr_assert_stderr_eq_str(
	    "rexec: -D: dynamic forwarding is not supported (see rexec-ssh(1))\n"
	    "rexec: -o ProxyJump: not supported (as -J is not) "
	    "(see rexec-ssh(1))\n"
	    "rexec: unknown ssh option Frobnicate (see rexec-ssh(1))\n"
	    "rexec: no control master\n");
}

Test(sshgrammar, named_rexec_ssh_or_ssh)
{
	cr_assert(sshgrammar_named("rexec-ssh"));
	cr_assert(sshgrammar_named("/usr/bin/rexec-ssh"));
	cr_assert(sshgrammar_named("/tmp/x/ssh"));
	cr_assert(!sshgrammar_named("rexec"));
	cr_assert(!sshgrammar_named("/usr/bin/rexec"));
	cr_assert(!sshgrammar_named("sshd"));
}

/* Sorted for bsearch, and each of ssh_config(5)'s names found. */
Test(sshgrammar, keyword_table)
{
	size_t n;
	const struct sshkw *t = sshkw_table(&n);

	cr_assert_geq(n, 104);
	for (size_t i = 0; i + 1 < n; i++)
		cr_assert_lt(strcasecmp(t[i].name, t[i + 1].name), 0, "%s",
		    t[i + 1].name);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(sshkw_find(t[i].name), &t[i], "%s", t[i].name);
	cr_assert_eq(sshkw_find("hostname")->kind, KW_HOSTNAME);
	cr_assert_null(sshkw_find("Hostnames"));
}

/* rexec's own grammar keeps its -o subset (commands.md). */
Test(sshgrammar, rexec_grammar_keeps_its_subset)
{
	struct sshopts so = { 0 };

	cr_assert_eq(sshopts_take(&so, 'o', "BatchMode=yes"), 0);
	cr_assert_eq(sshopts_take(&so, 'o', "Port=7"), 0);
	cr_assert_eq(sshopts_take(&so, 'o', "ProxyCommand=nc"), -1);
	cr_assert_eq(sshopts_take(&so, 'o', "HostName=x"), -1);
	cr_assert_eq(sshopts_take(&so, 'o', "RequestTTY=no"), -1);
	cr_assert_str_eq(so.port, "7");
	sshopts_free(&so);
}
