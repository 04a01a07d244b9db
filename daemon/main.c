/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <bsd/stdlib.h>
#include <bsd/unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "authlog.h"
#include "config.h"
#include "listen.h"
#include "log.h"
#include "master.h"
#include "stdfds.h"


static const struct option longopts[] = {
	{ "config",	required_argument,	NULL, 'f' },
	{ "listen",	required_argument,	NULL, 'l' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "workers",	required_argument,	NULL, 'w' },
	{ "token-file",	required_argument,	NULL, 'T' },
	{ "default-user", required_argument,	NULL, 'u' },
	{ "check",	no_argument,		NULL, 't' },
	{ "debug",	no_argument,		NULL, 'd' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

static bool	parse_args(int argc, char *argv[], struct config_opts *o);
static int	number(const char *opt, const char *s, int min, int max);
static void	usage(FILE *, int) __attribute__((noreturn));

int
main(int argc, char *argv[])
{
	static struct config cf;
	struct config_opts opts;
	struct listeners l;
	char err[512];
	bool check;

	stdfds_ensure();
	setproctitle_init(argc, argv, environ);
	check = parse_args(argc, argv, &opts);
	if (config_load(&cf, &opts, err, sizeof(err)) == -1 ||
	    listen_check(&cf, err, sizeof(err)) == -1) {
		fprintf(stderr, "rexecd: %s\n", err);
		exit(1);
	}
	if (check)
		exit(0);
	log_init(cf.log_level, "master");
	account_init();
	authlog_init();
	master_block_signals();
	listen_open(&cf, &l);
	master_run(&cf, &opts, &l);
}

static bool
parse_args(int argc, char *argv[], struct config_opts *o)
{
	bool check = false;
	int ch;

	memset(o, 0, sizeof(*o));
	o->port = o->workers = -1;
	while ((ch = getopt_long(argc, argv, "df:hl:p:tT:u:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': o->debug = true; break;
		case 'f': o->file = optarg; break;
		case 'l':
			if (o->nlisten == LISTEN_MAX) {
				fprintf(stderr, "rexecd: too many -l\n");
				exit(1);
			}
			o->listen[o->nlisten++] = optarg;
			break;
		case 'p': o->port = number("-p", optarg, 0, 65535); break;
		case 'w':
			o->workers = number("-w", optarg, 1, WORKERS_LIMIT);
			break;
		case 'T': o->token_file = optarg; break;
		case 'u': o->default_user = optarg; break;
		case 't': check = true; break;
		case 'h': usage(stdout, 0);
		case 'V':
			printf("rexecd %s\n", REXEC_VERSION);
			exit(0);
		default: usage(stderr, 1);
		}
	}
	if (optind != argc)
		usage(stderr, 1);
	return check;
}

static int
number(const char *opt, const char *s, int min, int max)
{
	const char *errstr;
	int n = (int)strtonum(s, min, max, &errstr);

	if (errstr != NULL) {
		fprintf(stderr, "rexecd: %s %s: %s\n", opt, s, errstr);
		exit(1);
	}
	return n;
}

static void
usage(FILE *f, int status)
{
	fprintf(f,
	    "usage: rexecd [-dhtV] [-f file] [-l address] [-p port] "
	    "[-T token-file] [-u user] [-w workers]\n"
	    "  -f, --config FILE      configuration file (default %s)\n"
	    "  -l, --listen ADDR      address to listen on, repeatable "
	    "(default 127.0.0.1, ::1)\n"
	    "  -p, --port PORT        port (default 5120; 0: ephemeral)\n"
	    "  -w, --workers N        workers started at once (default 4)\n"
	    "  -T, --token-file FILE  clients must present this token\n"
	    "  -u, --default-user USER  commands' account when the "
	    "configuration names none\n"
	    "  -t, --check            check the configuration and exit\n"
	    "  -d, --debug            log at debug level\n"
	    "  -h, --help             this help\n"
	    "  -V, --version          print the version\n", CONFIG_FILE);
	exit(status);
}
