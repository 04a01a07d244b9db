/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "sshgrammar.h"
#include "terminal.h"

/* OpenSSH 9.2's letters; "+": stop at the host; ":": our messages. */
#define SSH_GETOPT "+:1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MN" \
	"O:P:Q:R:S:TVw:W:XYy"

static int	 take_options(int, char **, struct options *, bool *ended);
static int	 take_one(struct options *, int c, const char *arg);
static int	 take_ssh_letter(struct options *, int c, const char *arg);
static int	 refuse(int c);
static int	 finish(struct options *, bool has_command);
static void	 apply_tty(struct options *);
static char	*uri_host(char *);

bool
sshgrammar_named(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base != NULL ? base + 1 : argv0;
	return strcmp(base, "rexec-ssh") == 0 || strcmp(base, "ssh") == 0;
}

int
sshgrammar_parse(int argc, char **argv, struct options *o)
{
	bool ended = false;
	int host, cmd, n;

	o->ssh_grammar = true;
	o->ssh.full = true;
	fail_set_usage_hint("rexec-ssh(1)");
	if ((host = take_options(argc, argv, o, &ended)) < 0)
		return host;
	if (host == argc)
		return finish(o, false) == -1 ? -1 : argc;
	argv[host] = uri_host(argv[host]);
	cmd = host + 1;
	/* As ssh: the host is argv[0] of a second pass over the rest. */
	if (!ended && cmd < argc) {
		if ((n = take_options(argc - host, argv + host, o,
		    &ended)) < 0)
			return n;
		cmd = host + n;
		argv[cmd - 1] = argv[host];
	}
	return finish(o, cmd < argc) == -1 ? -1 : cmd - 1;
}

/* ssh://[user@]host[:port][/], as ssh takes it: what rexec reads. */
static char *
uri_host(char *arg)
{
	size_t len;

	if (strncmp(arg, "ssh://", 6) != 0)
		return arg;
	arg += 6;
	if ((len = strlen(arg)) > 1 && arg[len - 1] == '/')
		arg[len - 1] = '\0';
	return arg;
}

/* getopt from argv[1]; the index of the first word left. */
static int
take_options(int argc, char **argv, struct options *o, bool *ended)
{
	int c, rc;

	optind = 0;		/* glibc: start afresh, a second pass too */
	opterr = 0;
	while ((c = getopt(argc, argv, SSH_GETOPT)) != -1)
		if ((rc = take_one(o, c, optarg)) < 0)
			return rc;
	*ended = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	return optind;
}

static int
take_one(struct options *o, int c, const char *arg)
{
	switch (c) {
	case '2': case 'a': case 'A': case 'C': case 'k': case 'K':
	case 'M': case 'x': case 'X': case 'Y': case 'y':
	case 'b': case 'c': case 'E': case 'F': case 'i': case 'm':
	case 'S': case 'B': case 'I': case 'P':
		return 0;	/* ssh's keys, X11, agents, logs: no use here */
	case 'o': case '4': case '6': case 'q': case 'G':
		return sshopts_take(&o->ssh, c, arg);
	case 'l':
		o->user = arg;
		return 0;
	case 'p':
		o->port = arg;
		return 0;
	case 'n':
		o->no_stdin = true;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'V':
		fprintf(stderr, "rexec %s\n", REXEC_VERSION);
		return -2;
	case 'O':
		/* Tools probing for a master (ssh -O check) fall back. */
		report_line("rexec: no control master\n");
		return -1;
	case ':':
		return usage_error("option -%c needs a value", optopt);
	case '?':
		return usage_error("unknown option -%c", optopt);
	default:
		return take_ssh_letter(o, c, arg);
	}
}

/* The letters that set what only ssh's grammar has. */
static int
take_ssh_letter(struct options *o, int c, const char *arg)
{
	struct sshopts *so = &o->ssh;

	switch (c) {
	case 't':
		so->request_tty = so->request_tty == SSH_TTY_YES ?
		    SSH_TTY_FORCE : SSH_TTY_YES;
		return 0;
	case 'T':
		so->request_tty = SSH_TTY_NO;
		return 0;
	case 's':
		so->session = SSH_SESSION_SUBSYSTEM;
		return 0;
	case 'N':
		so->session = SSH_SESSION_NONE;
		return 0;
	case 'e':
		return sshopts_escape("-e", arg, &so->escape);
	case 'f':
		so->fwd.background = true;
		return 0;
	case 'g':
		so->fwd.gateway = true;
		return 0;
	case 'L':
		return fwdspec_add_local(&so->fwd, "-L", arg);
	case 'W':
		return fwdspec_set_stdio(&so->fwd, arg);
	default:
		return refuse(c);
	}
}

static int
refuse(int c)
{
	switch (c) {
	case '1':
		return usage_error("-1: SSH protocol 1 is not supported");
	case 'D':
		return usage_error("-D: dynamic forwarding is not supported");
	case 'R':
		return usage_error("-R: remote forwarding is not supported");
	case 'J':
		return usage_error("-J: jump hosts are not supported");
	case 'w':
		return usage_error("-w: tunnel devices are not supported");
	default:		/* -Q */
		return usage_error("-%c: not supported", c);
	}
}

/* What the options say together, once all are read. */
static int
finish(struct options *o, bool has_command)
{
	struct sshopts *so = &o->ssh;

	if (so->session == SSH_SESSION_SUBSYSTEM)
		o->subsystem = true;
	else if (so->session == SSH_SESSION_NONE)
		so->fwd.no_command = true;
	if (so->fwd.no_command && so->fwd.nlocal == 0 &&
	    so->fwd.stdio.host == NULL)
		return usage_error("-N without -L: nothing to forward");
	if (has_command && so->remote_command != NULL)
		return usage_error("a command and -o RemoteCommand: one only");
	if (o->subsystem && !has_command && so->remote_command == NULL &&
	    !so->print_config)
		return usage_error("-s needs a subsystem name");
	if (so->stdin_null)
		o->no_stdin = true;
	apply_tty(o);
	if (so->escape != SSH_ESCAPE_UNSET)
		term_set_escape(so->escape);
	return 0;
}

/* RequestTTY's four values into rexec's three pty switches. */
static void
apply_tty(struct options *o)
{
	switch (o->ssh.request_tty) {
	case SSH_TTY_NO:
		o->no_pty = true;
		break;
	case SSH_TTY_YES:
		o->pty_tty = true;
		break;
	case SSH_TTY_FORCE:
		o->pty = true;
		break;
	default:		/* auto: a pty for a session on a terminal */
		break;
	}
}

void
sshgrammar_debug(const struct options *o, const struct host *h)
{
	fprintf(stderr, "rexec: connecting to %s port %s as %s\n", h->name,
	    h->port, h->user != NULL ? h->user : "the daemon's account");
	if (o->verbose > 1)
		fprintf(stderr, "rexec: %s, stdin %s, pty %s\n",
		    o->subsystem ? "a subsystem" : "the account's shell",
		    o->no_stdin ? "not forwarded" : "forwarded",
		    o->pty ? "always" : o->no_pty ? "never" : o->pty_tty ?
		    "if stdin is a terminal" : "for a session on a terminal");
}
