/* SPDX-License-Identifier: ISC */
/*
 * The manual pages against the programs, both ways: every option that
 * "rexec --help" and "rexecd -h" list is documented in the page's option
 * list and SYNOPSIS, and every option documented there is listed; every
 * key rexecd accepts is documented in rexecd.conf(5), and every key
 * documented there is accepted.
 *
 * The options are taken from the usage texts of the built binaries, as
 * users see them, and from the mdoc sources of the pages: the ".It Fl"
 * lines of the DESCRIPTION (the option list) and the "Fl" arguments of
 * the SYNOPSIS.  Each set must hold -h and --help, so a parser that
 * silently finds nothing fails instead of comparing two empty sets.
 *
 * The configuration keys cannot be listed by the daemon, so they are
 * taken from where it defines them, the keys[] table of daemon/config.c,
 * and every key found there, and every key documented (".It Cm" lines),
 * is checked against the binary: "rexecd -t" with "KEY = value" must
 * not answer 'unknown key'.  A made-up key must get that answer, which
 * shows the check can fail, and the table must yield a dozen keys at
 * least, which shows the source is still parsed.
 */
#include <sys/wait.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "daemon_util.h"
#include "rexec_run.h"
#include "rexecd_proc.h"
#include "srctree.h"

#define NAMES_MAX	64
#define NAME_LEN	64
#define KEYS_MIN	12

/* A set of option or key names, in the order found. */
struct names {
	char	name[NAMES_MAX][NAME_LEN];
	size_t	n;
};

static char tmp[] = "/tmp/rexec-manpages.XXXXXX";

static void
setup(void)
{
	cr_assert_not_null(mkdtemp(tmp));
}

static void
teardown(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/rexecd.conf", tmp);
	unlink(path);
	rmdir(tmp);
}

TestSuite(manpages, .init = setup, .fini = teardown, .timeout = 60);

/* A file of the source tree, whole and NUL-terminated. */
static char *
source(const char *rel)
{
	char path[PATH_MAX];
	char *text;

	test_path(path, sizeof(path), "%s/%s", source_dir(), rel);
	text = read_file_all(path, NULL);
	cr_assert_not_null(text, "cannot read %s (set REXEC_SRCDIR)", path);
	return text;
}

static bool
has(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->name[i], name) == 0)
			return true;
	return false;
}

static void
add(struct names *s, const char *name)
{
	if (has(s, name))
		return;
	cr_assert_lt(s->n, (size_t)NAMES_MAX, "too many names");
	test_path(s->name[s->n++], NAME_LEN, "%s", name);
}

/* Every name of a that b lacks, in one line, for the failure message. */
static const char *
missing(const struct names *a, const struct names *b, char *buf,
    size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < a->n; i++)
		if (!has(b, a->name[i]) && off < len)
			off += (size_t)snprintf(buf + off, len - off, " %s",
			    a->name[i]);
	return buf;
}

/* a and b must hold the same names; what and where say which they are. */
static void
assert_same(const struct names *a, const char *a_what,
    const struct names *b, const char *b_what)
{
	char buf[1024];

	cr_expect_str_empty(missing(a, b, buf, sizeof(buf)),
	    "in %s but not in %s:%s", a_what, b_what, buf);
	cr_expect_str_empty(missing(b, a, buf, sizeof(buf)),
	    "in %s but not in %s:%s", b_what, a_what, buf);
}

/* Guards against parsers that find nothing, which would compare equal. */
static void
assert_parsed(const struct names *s, const char *what)
{
	cr_assert(has(s, "-h") && has(s, "--help"),
	    "no -h and --help found in %s: is it still parsed right?", what);
}

/* The line after the one p is in, or NULL after the last one. */
static const char *
next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl != NULL && nl[1] != '\0' ? nl + 1 : NULL;
}

/* The next blank-separated word of *p, or NULL at the end of the line. */
static const char *
word(const char **p, char *buf, size_t len)
{
	size_t n;

	*p += strspn(*p, " \t");
	if ((n = strcspn(*p, " \t\n")) == 0)
		return NULL;
	test_path(buf, len, "%.*s", (int)n, *p);
	*p += n;
	return buf;
}

/*
 * The options of a usage text: on each line that starts, after blanks,
 * with '-', the leading words that start with '-' ("-p, --port PORT"
 * gives -p and --port).  With long_only, only lines that give no short
 * form ("--connect-timeout SECS").
 */
static void
usage_options(const char *text, bool long_only, struct names *s)
{
	char w[NAME_LEN];
	const char *p, *first;

	for (p = text; p != NULL; p = next_line(p)) {
		const char *q = p;
		if ((first = word(&q, w, sizeof(w))) == NULL || *first != '-')
			continue;
		if (long_only && strncmp(first, "--", 2) != 0)
			continue;
		q = p;
		while (word(&q, w, sizeof(w)) != NULL && w[0] == '-') {
			w[strcspn(w, ",")] = '\0';
			add(s, w);
		}
	}
}

/* Stdout of a binary run with one argument, which must succeed. */
static char *
help_of(const char *bin, const char *arg)
{
	const char *argv[] = { bin, arg, NULL };
	struct rexec_run r;
	char *out;
	int st;

	rexec_spawn(&r, NULL, argv);
	st = rexec_wait(&r);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s %s: %s", bin,
	    arg, r.err);
	out = strdup(r.out);
	rexec_run_free(&r);
	return out;
}

/* The mdoc section a line opens (".Sh NAME"), or NULL. */
static const char *
section_of(const char *line, char *buf, size_t len)
{
	if (strncmp(line, ".Sh ", 4) != 0)
		return NULL;
	test_path(buf, len, "%.*s", (int)strcspn(line + 4, "\n"), line + 4);
	return buf;
}

/*
 * Calls fn on every line of the page's section that starts with prefix
 * (NULL: every line).
 */
static void
each_line(const char *page, const char *section, const char *prefix,
    void (*fn)(const char *, void *), void *arg)
{
	char sh[64];
	bool in = false;

	for (const char *p = page; p != NULL; p = next_line(p)) {
		if (section_of(p, sh, sizeof(sh)) != NULL)
			in = strcmp(sh, section) == 0;
		else if (in && (prefix == NULL ||
		    strncmp(p, prefix, strlen(prefix)) == 0))
			fn(p, arg);
	}
}

/* mdoc writes "--port" as "Fl \-port": the name of one Fl argument. */
static void
fl_name(const char *arg, char *buf, size_t len)
{
	if (strncmp(arg, "\\-", 2) == 0)
		test_path(buf, len, "--%s", arg + 2);
	else
		test_path(buf, len, "-%s", arg);
}

/* The argument after each "Fl" of an mdoc line. */
static void
each_fl(const char *line, void (*fn)(const char *, struct names *),
    struct names *s)
{
	char w[NAME_LEN];
	const char *p = line;
	bool after_fl = false;

	while (word(&p, w, sizeof(w)) != NULL) {
		if (after_fl)
			fn(w, s);
		after_fl = strcmp(w, "Fl") == 0;
	}
}

static void
add_fl(const char *arg, struct names *s)
{
	char name[NAME_LEN];

	fl_name(arg, name, sizeof(name));
	add(s, name);
}

/* In the SYNOPSIS, "Fl AhnV" stands for -A, -h, -n and -V. */
static void
add_fl_cluster(const char *arg, struct names *s)
{
	char name[3] = "-";

	if (strncmp(arg, "\\-", 2) == 0) {
		add_fl(arg, s);
		return;
	}
	for (const char *c = arg; *c != '\0'; c++) {
		name[1] = *c;
		add(s, name);
	}
}

static void
option_item(const char *line, void *s)
{
	each_fl(line, add_fl, s);
}

static void
synopsis_line(const char *line, void *s)
{
	each_fl(line, add_fl_cluster, s);
}

/* The options of the list in the page's DESCRIPTION (".It Fl ..."). */
static void
page_options(const char *page, struct names *s)
{
	each_line(page, "DESCRIPTION", ".It ", option_item, s);
}

/* The options of the SYNOPSIS, short ones and long-only ones. */
static void
synopsis_options(const char *page, struct names *s)
{
	each_line(page, "SYNOPSIS", NULL, synopsis_line, s);
}

/* The short options, then the long-only ones, of a usage text. */
static void
usage_synopsis(const char *usage, struct names *s)
{
	struct names all = { .n = 0 };

	usage_options(usage, false, &all);
	for (size_t i = 0; i < all.n; i++)
		if (strncmp(all.name[i], "--", 2) != 0)
			add(s, all.name[i]);
	usage_options(usage, true, s);
}

static void
check_option_list(const char *bin, const char *help_arg, const char *page)
{
	char *usage = help_of(bin, help_arg), *text = source(page);
	struct names in_usage = { .n = 0 }, in_page = { .n = 0 };
	char what[PATH_MAX];

	usage_options(usage, false, &in_usage);
	page_options(text, &in_page);
	assert_parsed(&in_usage, help_arg);
	assert_parsed(&in_page, page);
	test_path(what, sizeof(what), "%s %s", bin, help_arg);
	assert_same(&in_usage, what, &in_page, page);
	free(usage);
	free(text);
}

static void
check_synopsis(const char *bin, const char *help_arg, const char *page)
{
	char *usage = help_of(bin, help_arg), *text = source(page);
	struct names in_usage = { .n = 0 }, in_page = { .n = 0 };
	char what[PATH_MAX], where[PATH_MAX];

	usage_synopsis(usage, &in_usage);
	synopsis_options(text, &in_page);
	cr_assert(has(&in_usage, "-h") && has(&in_page, "-h"),
	    "no -h found: is %s or its SYNOPSIS still parsed right?", page);
	test_path(what, sizeof(what), "%s %s", bin, help_arg);
	test_path(where, sizeof(where), "the SYNOPSIS of %s", page);
	assert_same(&in_usage, what, &in_page, where);
	free(usage);
	free(text);
}

Test(manpages, rexec_help_and_option_list_agree)
{
	check_option_list(rexec_bin(), "--help", "man/rexec.1");
}

Test(manpages, rexecd_help_and_option_list_agree)
{
	check_option_list(rexecd_bin(), "-h", "man/rexecd.8");
}

Test(manpages, rexec_synopsis_names_every_option)
{
	check_synopsis(rexec_bin(), "--help", "man/rexec.1");
}

Test(manpages, rexecd_synopsis_names_every_option)
{
	check_synopsis(rexecd_bin(), "-h", "man/rexecd.8");
}

/* ".It Cm key ..." in the DESCRIPTION of rexecd.conf(5). */
static void
key_item(const char *line, void *s)
{
	char w[NAME_LEN];
	const char *p = line + strlen(".It Cm");

	if (word(&p, w, sizeof(w)) != NULL)
		add(s, w);
}

static void
documented_keys(struct names *s)
{
	char *page = source("man/rexecd.conf.5");

	each_line(page, "DESCRIPTION", ".It Cm ", key_item, s);
	free(page);
}

/* The names of the keys[] table of daemon/config.c: '{ "listen",'. */
static void
source_keys(struct names *s)
{
	char *text = source("daemon/config.c"), w[NAME_LEN];
	const char *p = strstr(text, " keys[] = {"), *end;

	cr_assert_not_null(p, "no keys[] table in daemon/config.c");
	end = strstr(p, "\n};");
	cr_assert_not_null(end, "keys[] table of daemon/config.c not closed");
	while ((p = strstr(p, "{ \"")) != NULL && p < end) {
		p += 3;
		test_path(w, sizeof(w), "%.*s", (int)strcspn(p, "\""), p);
		add(s, w);
	}
	free(text);
}

/* Whether "rexecd -t" takes "key = value" as a key it knows. */
static bool
daemon_knows(const char *key)
{
	const char *args[] = { "-t", "-f", NULL, NULL };
	char conf[PATH_MAX], line[NAME_LEN + 32], *out;
	FILE *f;
	bool known;

	test_path(conf, sizeof(conf), "%s/rexecd.conf", tmp);
	/* A value every key refuses or takes without a DNS lookup. */
	test_path(line, sizeof(line), "%s = 127.0.0.1\n", key);
	cr_assert_not_null(f = fopen(conf, "w"));
	fputs(line, f);
	fclose(f);
	args[2] = conf;
	(void)rexecd_once(args, &out);
	known = strstr(out, "unknown key") == NULL;
	free(out);
	return known;
}

Test(manpages, the_key_check_can_fail)
{
	cr_assert_not(daemon_knows("no_such_key_for_the_test"),
	    "rexecd -t no longer says 'unknown key': fix daemon_knows()");
}

Test(manpages, every_key_of_the_daemon_is_documented)
{
	struct names daemon = { .n = 0 }, page = { .n = 0 };

	source_keys(&daemon);
	cr_assert_geq(daemon.n, (size_t)KEYS_MIN,
	    "only %zu keys found in daemon/config.c", daemon.n);
	for (size_t i = 0; i < daemon.n; i++)
		cr_expect(daemon_knows(daemon.name[i]),
		    "\"%s\" from daemon/config.c is not a key of rexecd",
		    daemon.name[i]);
	documented_keys(&page);
	assert_same(&daemon, "daemon/config.c", &page, "man/rexecd.conf.5");
}

Test(manpages, every_documented_key_is_accepted)
{
	struct names page = { .n = 0 };

	documented_keys(&page);
	cr_assert_geq(page.n, (size_t)KEYS_MIN,
	    "only %zu keys found in man/rexecd.conf.5", page.n);
	for (size_t i = 0; i < page.n; i++)
		cr_expect(daemon_knows(page.name[i]),
		    "\"%s\" is documented in rexecd.conf(5) but rexecd "
		    "does not know it", page.name[i]);
}
