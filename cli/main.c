/* SPDX-License-Identifier: ISC */
/*
 * rexec: run a command on a host running rexecd, as if it ran here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "address.h"
#include "copy.h"
#include "engine.h"
#include "fail.h"
#include "failmsg.h"
#include "fleet.h"
#include "forward.h"
#include "host.h"
#include "message.h"
#include "mungecred.h"
#include "options.h"
#include "outdir.h"
#include "rolling.h"
#include "sshgrammar.h"
#include "sshopts.h"
#include "status.h"
#include "stdfds.h"
#include "terminal.h"
#include "textsafe.h"
#include "token.h"

#define CONNECT_TIMEOUT_DEFAULT	10.0

enum { OPT_CONNECT_TIMEOUT = 256, OPT_STATUS, OPT_NO_PTY };

static const struct option long_options[] = {
	{ "port",		required_argument, NULL, 'p' },
	{ "timeout",		required_argument, NULL, 't' },
	{ "env",		required_argument, NULL, 'e' },
	{ "cwd",		required_argument, NULL, 'C' },
	{ "token-file",		required_argument, NULL, 'T' },
	{ "argv",		no_argument,	   NULL, 'A' },
	{ "user",		required_argument, NULL, 'l' },
	{ "pty",		no_argument,	   NULL, 'P' },
	{ "no-pty",		no_argument,	   NULL, OPT_NO_PTY },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "version",		no_argument,	   NULL, 'V' },
	{ "connect-timeout",	required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "hosts",		required_argument, NULL, 'w' },
	{ "exclude",		required_argument, NULL, 'x' },
	{ "fanout",		required_argument, NULL, 'f' },
	{ "no-prefix",		no_argument,	   NULL, 'N' },
	{ "gather",		no_argument,	   NULL, 'b' },
	{ "json",		no_argument,	   NULL, FLEET_OPT_JSON },
	{ "raw",		no_argument,	   NULL, FLEET_OPT_RAW },
	{ "batch",		required_argument, NULL, FLEET_OPT_BATCH },
	{ "max-fail",		required_argument, NULL, FLEET_OPT_MAX_FAIL },
	{ "fail-fast",		no_argument,	   NULL, 'k' },
	{ "pick",		required_argument, NULL, FLEET_OPT_PICK },
	{ "outdir",		required_argument, NULL, FLEET_OPT_OUTDIR },
	{ "status",		no_argument,	   NULL, OPT_STATUS },
	{ "munge",		no_argument,	   NULL, 'M' },
	{ "copy",		no_argument,	   NULL, COPY_OPT_COPY },
	{ "rcopy",		no_argument,	   NULL, COPY_OPT_RCOPY },
	{ "dest",		required_argument, NULL, COPY_OPT_DEST },
	{ "preserve",		no_argument,	   NULL, COPY_OPT_PRESERVE },
	{ NULL,			0,		   NULL, 0 },
};

static int	 parse_options(int, char **, struct options *);
static int	 add_env(struct options *, char *);
static int	 parse_seconds(const char *, const char *, double, double *);
static void	 usage(FILE *);

static int	 check_port(const char *);
static int	 run_status(const struct options *, const struct host *);
static int	 run_single(const struct options *, const char *, char **,
		    int);
static int	 run_fleet(const struct options *, char **, int);
static void	 rolling_opts(const struct fleetopts *, size_t,
		    struct engine_opts *);
static int	 set_host(const struct options *, struct host *,
		    struct address *, const char *label);
static int	 execute(const struct options *, struct host *, size_t,
		    struct engine_opts *, char **, int);
static const char *pick_port(const struct options *,
		    const struct address *);
static const char *pick_user(const struct options *,
		    const struct address *);

static json_t	*build_exec(const struct options *, char **, int, char *,
		    bool, struct copyrun *);
static char	*join_words(char **, int);

int
main(int argc, char **argv)
{
	struct options o = { 0 };
	const char *stray, *env;
	int status, first;

	/* EPIPE on stdout is handled in the session; a signal would lose it. */
	signal(SIGPIPE, SIG_IGN);
	if ((env = getenv("REXEC_MUNGE")) != NULL && strcmp(env, "1") == 0)
		o.munge = true;
	first = sshgrammar_named(argv[0]) ? sshgrammar_parse(argc, argv, &o) :
	    parse_options(argc, argv, &o);
	if (first < 0)
		status = first == -2 ? 0 : EXIT_REXEC_FAILED;
	else if (sshopts_sendenv(&o.ssh, &o.env, &o.envc) == -1) {
		usage_error("out of memory");
		status = EXIT_REXEC_FAILED;
	} else if (fleet_mode(&o.fleet) && !o.status) {
		status = run_fleet(&o, argv + first, argc - first);
	} else if ((stray = fleet_stray_option(&o.fleet, o.status)) != NULL ||
	    (stray = copy_stray_option(&o.copy)) != NULL) {
		usage_error("%s is an option of fleet mode: it needs -w", stray);
		status = EXIT_REXEC_FAILED;
	} else if (argc == first) {
		usage_error("missing host");
		status = EXIT_REXEC_FAILED;
	} else if (o.status && argc - first > 1) {
		usage_error("--status takes no command");
		status = EXIT_REXEC_FAILED;
	} else
		status = run_single(&o, argv[first], argv + first + 1,
		    argc - first - 1);
	free(o.env);
	sshopts_free(&o.ssh);
	fleet_free(&o.fleet);
	return status;
}

/* Index of the host argument, -1 on a usage error, -2 after --help. */
static int
parse_options(int argc, char **argv, struct options *o)
{
	int c;

	/* "+": options stop at the host, so "rexec h ls -l" keeps its -l;
	 * ":": errors are ours to print, on one line. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:p:nt:e:C:T:Al:PMhV"
	    SSHOPTS_GETOPT FLEET_GETOPT, long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
		case '4':
		case '6':
		case 'q':
		case 'a':
		case '2':
		case 'G':
			if (sshopts_take(&o->ssh, c, optarg) == -1)
				return -1;
			break;
		case 'w':
		case 'x':
		case 'f':
		case 'N':
		case 'b':
		case FLEET_OPT_JSON:
		case FLEET_OPT_RAW:
		case 'k':
		case FLEET_OPT_BATCH:
		case FLEET_OPT_MAX_FAIL:
		case FLEET_OPT_PICK:
		case FLEET_OPT_OUTDIR:
			if (fleet_take(&o->fleet, c, optarg) == -1)
				return -1;
			break;
		case COPY_OPT_COPY:
		case COPY_OPT_RCOPY:
		case COPY_OPT_DEST:
		case COPY_OPT_PRESERVE:
			if (copy_take(&o->copy, c, optarg) == -1)
				return -1;
			break;
		case 'l':
			o->user = optarg;
			break;
		case 'p':
			o->port = optarg;
			break;
		case 'n':
			o->no_stdin = true;
			break;
		case 't':
			if (parse_seconds("-t", optarg, EXEC_TIMEOUT_MAX,
			    &o->timeout) == -1)
				return -1;
			break;
		case 'e':
			if (add_env(o, optarg) == -1)
				return -1;
			break;
		case 'C':
			o->cwd = optarg;
			break;
		case 'T':
			o->token_file = optarg;
			break;
		case 'A':
			o->argv_mode = true;
			break;
		case 'P':
			o->pty = true;
			break;
		case 'M':
			o->munge = true;
			break;
		case OPT_NO_PTY:
			o->no_pty = true;
			break;
		case 'h':
			usage(stdout);
			return -2;
		case 'V':
			printf("rexec %s\n", REXEC_VERSION);
			return -2;
		case OPT_STATUS:
			o->status = true;
			break;
		case OPT_CONNECT_TIMEOUT:
			if (parse_seconds("--connect-timeout", optarg,
			    CONNECT_TIMEOUT_MAX, &o->connect_timeout) == -1)
				return -1;
			break;
		case ':':
			return usage_error("option %s needs a value",
			    argv[optind - 1]);
		default:
			if (optopt != 0)
				return usage_error("unknown option -%c",
				    optopt);
			return usage_error("unknown option %s",
			    argv[optind - 1]);
		}
	}
	return optind;
}

static int
add_env(struct options *o, char *assignment)
{
	char *eq = strchr(assignment, '=');
	char **env;

	if (eq == NULL || eq == assignment)
		return usage_error("-e wants NAME=VALUE, not '%s'",
		    assignment);
	/* Not reallocarray: it would bind rexec to libbsd (see jitter). */
	if (o->envc + 2 > SIZE_MAX / sizeof(*env) ||
	    (env = realloc(o->env, (o->envc + 2) * sizeof(*env))) == NULL)
		return usage_error("out of memory");
	env[o->envc++] = assignment;
	env[o->envc] = NULL;
	o->env = env;
	return 0;
}

static int
parse_seconds(const char *opt, const char *arg, double max, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !isfinite(*secs) ||
	    *secs <= 0 || *secs > max)
		return usage_error("%s wants a number of seconds above 0 and "
		    "at most %.0f, not '%s'", opt, max, arg);
	return 0;
}

static void
usage(FILE *f)
{
	fputs(
"usage: rexec [options] [user@]host [command [arg ...]]\n"
"       rexec [options] -w hosts command [arg ...]\n"
"       rexec --status [--json] [options] host\n"
"Run a command on a host running rexecd, as if it ran here; without a\n"
"command, the account's login shell (on a pseudo-terminal from a terminal).\n"
"\n"
"  host                  name or address, optionally host:port or [v6addr]:port\n"
"  -p, --port PORT       port when host names none (default 5120, or $REXEC_PORT)\n"
"  -n                    do not forward stdin: the command reads /dev/null\n"
"  -t, --timeout SECS    end the command after SECS seconds\n"
"  -e, --env NAME=VALUE  add a variable to the command's environment\n"
"  -C, --cwd DIR         run the command in DIR\n"
"  -T, --token-file FILE read the shared token from FILE (or $REXEC_TOKEN)\n"
"  -M, --munge           prove who you are with a MUNGE credential, not the\n"
"                        token (or REXEC_MUNGE=1); run as yourself there\n"
"  -A, --argv            run the words as argv, without a shell\n"
"  -l, --user USER       run as USER on the server (also USER@host)\n"
"  -P, --pty             run on a pseudo-terminal, even with a command\n"
"      --no-pty          never a pseudo-terminal\n"
"      --connect-timeout SECS\n"
"                        give up on an address after SECS seconds (default 10)\n"
"  -o NAME=VALUE         ssh option: Port, User, ConnectTimeout, SendEnv\n"
"                        take effect; ssh's others are accepted, ignored\n"
"  -4, -6                IPv4 only, IPv6 only\n"
"  -q                    quiet: no warnings (errors are still printed)\n"
"  -a, -2                accepted and ignored, as ssh's\n"
"  -G                    print hostname, port and user, and exit\n"
"      --status          show the daemon's state: its workers, what they run\n"
"\n"
"Fleet mode (-w): the command on every host of a list, from one process.\n"
"  -w, --hosts LIST      hosts: n[01-16],m3,^FILE (repeatable)\n"
"  -x, --exclude LIST    hosts left out (repeatable)\n"
"  -f, --fanout N        at most N hosts at once (default 64)\n"
"  -N, --no-prefix       no \"HOST: \" before output lines\n"
"  -b, --gather          print identical outputs once, hosts folded\n"
"      --json            one JSON object per host; with --status: the\n"
"                        daemon's JSON document as is\n"
"      --raw             control characters as they came, on a terminal too\n"
"      --batch N|N%      hosts in consecutive batches of N (N% of the list)\n"
"      --max-fail N|N%   start no more hosts once more than N have failed\n"
"  -k, --fail-fast       after the first failure start no more, TERM the rest\n"
"      --pick N          N hosts of the list at random (a canary)\n"
"      --outdir DIR      each host's output into DIR/HOST.out, DIR/HOST.err\n"
"      --copy SRC...     copy files and directories to every host\n"
"      --rcopy SRC...    fetch SRC from every host into DIR/NAME.HOST\n"
"      --dest DIR        --copy: DIR on each host (default: the directory\n"
"                        SRC is in); --rcopy: DIR here\n"
"      --preserve        keep modification times\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n"
"\n"
"Exit status: the command's; 128+N when signal N ended it; 255 when rexec\n"
"itself failed.\n", f);
}

/* fd 0 closed or open for writing only: tell the server, do not read it. */
bool
stdin_readable(void)
{
	int flags = fcntl(0, F_GETFL);

	if (flags == -1)
		return false;
	return (flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR;
}

static int
check_port(const char *port)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(port, &end, 10);
	if (errno != 0 || end == port || *end != '\0' || n < 1 || n > 65535) {
		report("invalid port '%s'", port);
		return -1;
	}
	return 0;
}

/* The most specific wins: host:port, -p, -o Port, $REXEC_PORT. */
static const char *
pick_port(const struct options *o, const struct address *a)
{
	const char *port;

	if ((port = a->port) == NULL && (port = o->port) == NULL &&
	    (port = o->ssh.port) == NULL &&
	    ((port = getenv("REXEC_PORT")) == NULL || port[0] == '\0'))
		port = REXEC_DEFAULT_PORT;
	return port;
}

/* user@host, -l, -o User; NULL: the daemon's default account. */
static const char *
pick_user(const struct options *o, const struct address *a)
{
	return a->user != NULL ? a->user : o->user != NULL ? o->user :
	    o->ssh.user;
}

int
connect_timeout_ms(const struct options *o)
{
	double secs = o->connect_timeout > 0 ? o->connect_timeout :
	    o->ssh.connect_timeout > 0 ? o->ssh.connect_timeout :
	    CONNECT_TIMEOUT_DEFAULT;

	return (int)(secs * 1000 + 0.999);
}

/* One host: the engine without prefixes, output byte for byte. */
static int
run_single(const struct options *o, const char *hostarg, char **words,
    int nwords)
{
	struct engine_opts eo = { .fanout = 1 };
	struct address a;
	struct host h = { 0 };
	int status = EXIT_REXEC_FAILED;

	stdfds_ensure();
	if (address_parse(hostarg, &a) == -1)
		return EXIT_REXEC_FAILED;
	fail_set_host(a.host);
	if (set_host(o, &h, &a, a.host) == -1)
		goto out;
	if (o->ssh.print_config) {
		sshopts_print(h.name, h.port, h.user);
		status = 0;
		goto out;
	}
	if (o->verbose > 0)
		sshgrammar_debug(o, &h);
	if (forward_alone(&o->ssh.fwd)) {
		status = forward_run(o, &h, words, nwords);
		goto out;
	}
	if (o->status) {
		status = run_status(o, &h);
		goto out;
	}
	if (o->argv_mode && nwords == 0) {
		usage_error("-A needs a command");
		goto out;
	}
	eo.stdin_open = !o->no_stdin && stdin_readable();
	/* -L and -f beside a command. */
	if (forward_prepare(o, &h, &eo, nwords) == -1)
		goto out;
	status = execute(o, &h, 1, &eo, words, nwords);
	forward_finish(&eo);
	term_restore();
out:
	address_free(&a);
	fail_set_host(NULL);
	return status;
}

/* --status: the daemon's state instead of a command. */
static int
run_status(const struct options *o, const struct host *h)
{
	char *token = NULL, *cred = NULL;
	int status = EXIT_REXEC_FAILED;

	if (o->munge ? mungecred_open() == -1 ||
	    (cred = mungecred_take(NULL, 0)) == NULL :
	    token_load(o->token_file, &token) == -1)
		goto out;
	status = status_run(h->name, h->port, o->ssh.family,
	    connect_timeout_ms(o), token, cred, o->fleet.json);
out:
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	free(cred);
	mungecred_close();
	return status;
}

/* -w: every host of the list, fanout at a time, output in lines. */
static int
run_fleet(const struct options *o, char **words, int nwords)
{
	const struct fleetopts *f = &o->fleet;
	struct engine_opts eo = {
		.fanout = f->fanout ? f->fanout : FLEET_FANOUT_DEFAULT,
		.lines = true, .prefix = !f->no_prefix, .gather = f->gather,
		.json = f->json, .fleet = true,
	};
	struct hostlist hl = { 0 };
	struct address *a = NULL;
	struct host *h = NULL;
	size_t i = 0;
	int status = EXIT_REXEC_FAILED;

	stdfds_ensure();
	if (copy_mode(&o->copy)) {
		if ((eo.copy = copy_prepare(&o->copy, words, nwords)) == NULL)
			return status;
	} else if (nwords < 1) {
		usage_error("missing command");
		return status;
	}
	/* One local terminal cannot be the terminal of many hosts. */
	if (o->pty) {
		usage_error("-P cannot be used with -w");
		return status;
	}
	if (fleet_check(f) == -1 || fleet_hosts(f, &hl) == -1) {
		hostlist_free(&hl);
		return status;
	}
	rolling_opts(f, hl.n, &eo);
	if (f->outdir != NULL && outdir_make(f->outdir) == -1)
		goto out;
	if ((a = calloc(hl.n, sizeof(*a))) == NULL ||
	    (h = calloc(hl.n, sizeof(*h))) == NULL) {
		report("out of memory");
		goto out;
	}
	for (; i < hl.n; i++)
		if (address_parse(hl.hosts[i], &a[i]) == -1 ||
		    set_host(o, &h[i], &a[i], hl.hosts[i]) == -1)
			goto out;
	/* A terminal is not broadcast: each command gets /dev/null. */
	eo.stdin_open = !o->no_stdin && stdin_readable() && !isatty(0);
	if (eo.copy != NULL)
		eo.stdin_open = copy_sends(eo.copy);
	/* On a terminal no host may rewrite another's lines (issue 18). */
	for (int fd = 1; fd <= 2; fd++)
		eo.safe[fd] = !f->raw && isatty(fd);
	eo.safe_flags = failmsg_flags() | TEXT_TAB;
	status = execute(o, h, hl.n, &eo, words, nwords);
out:
	for (size_t k = 0; k < i && k < hl.n; k++)
		address_free(&a[k]);
	for (size_t k = 0; h != NULL && k < hl.n; k++)
		for (int fd = 1; fd <= 2; fd++)
			hold_free(&h[k].held[fd]);
	hold_end();
	free(a);
	free(h);
	hostlist_free(&hl);
	copy_free(eo.copy);
	return status;
}

/* Counts and percentages of the list that runs (after -x and --pick). */
static void
rolling_opts(const struct fleetopts *f, size_t n, struct engine_opts *eo)
{
	if (f->batch.set)
		eo->batch = rolling_resolve(&f->batch, n, true);
	eo->max_fail_set = f->max_fail.set;
	if (f->max_fail.set)
		eo->max_fail = rolling_resolve(&f->max_fail, n, false);
	eo->fail_fast = f->fail_fast;
	eo->outdir = f->outdir;
	/* Progress only where a person watches, and only when it says
	 * more than the output does. */
	eo->status_line = eo->batch > 0 && rolling_batches(n, eo->batch) > 1 &&
	    isatty(2);
}

static int
set_host(const struct options *o, struct host *h, struct address *a,
    const char *label)
{
	h->label = label;
	h->name = o->ssh.hostname != NULL ? o->ssh.hostname : a->host;
	h->port = pick_port(o, a);
	h->user = pick_user(o, a);
	return check_port(h->port);
}

static int
execute(const struct options *o, struct host *hosts, size_t n,
    struct engine_opts *eo, char **words, int nwords)
{
	char *token = NULL;
	int status = EXIT_REXEC_FAILED;

	/* -M: the credential instead of the token, not with it. */
	if (o->munge ? mungecred_open() == -1 :
	    token_load(o->token_file, &token) == -1)
		goto out;
	eo->munge = o->munge;
	if ((eo->exec = build_exec(o, words, nwords, token,
	    eo->stdin_open, eo->copy)) == NULL) {
		report("cannot encode the request: is every word valid UTF-8?");
		goto out;
	}
	eo->connect_timeout_ms = connect_timeout_ms(o);
	eo->family = o->ssh.family;
	status = engine_run(hosts, n, eo);
out:
	json_decref(eo->exec);
	mungecred_close();
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	return status;
}

static json_t *
build_exec(const struct options *o, char **words, int nwords, char *token,
    bool stdin_open, struct copyrun *copy)
{
	struct exec_req req = {
		.version = PROTOCOL_VERSION,
		.env = o->env,
		.envc = o->envc,
		.cwd = o->cwd,
		.timeout = o->timeout,
		.stdin_open = stdin_open,
		.token = token,
		.token_len = token != NULL ? strlen(token) : 0,
	};
	/* ssh -o RemoteCommand: the command when the line gives none. */
	const char *remote = nwords == 0 ? o->ssh.remote_command : NULL;
	bool has_cmd = nwords > 0 || remote != NULL;
	char *cmd = NULL;
	json_t *hdr;

	/* rexec-ssh runs commands as sshd does, by the account's shell. */
	req.shell = o->ssh_grammar;
	if (copy != NULL) {
		if (copy_request(copy, &req, o->env, o->envc) == -1)
			return NULL;
	/* A subsystem has no pty (sshd's Subsystem neither). */
	} else if (!o->subsystem &&
	    term_want_pty(o->pty, o->no_pty, has_cmd && !o->pty_tty))
		term_request(&req.pty);
	if (copy != NULL) {
		/* The subsystem is the command. */
	} else if (!has_cmd) {
		req.login = true;
	} else if (o->argv_mode) {
		req.argv = words;
		req.argc = (size_t)nwords;
	} else if ((cmd = remote != NULL ? strdup(remote) :
	    join_words(words, nwords)) == NULL) {
		return NULL;
	} else if (o->subsystem)
		req.subsystem = cmd;
	else
		req.cmd = cmd;
	hdr = msg_exec(&req);
	free(cmd);
	return hdr;
}

/* As ssh does: the words joined with single spaces, for the remote shell. */
static char *
join_words(char **words, int nwords)
{
	size_t len = 0, off = 0;
	char *s;

	for (int i = 0; i < nwords; i++)
		len += strlen(words[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	for (int i = 0; i < nwords; i++) {
		size_t n = strlen(words[i]);
		memcpy(s + off, words[i], n);
		off += n;
		s[off++] = i + 1 < nwords ? ' ' : '\0';
	}
	return s;
}
