/* SPDX-License-Identifier: ISC */
/* Host lists: expansion, padding, products, IPv6, ports, ^FILE, -x, folding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "hostlist.h"

/* The expansion of the lists, joined by spaces ("ERR" on an error). */
static char *
expand(const char *const *lists, const char *exclude)
{
	struct hostlist hl = { 0 }, ex = { 0 };
	static char out[65536];
	char err[256];
	size_t off = 0;

	for (; *lists != NULL; lists++)
		if (hostlist_add(&hl, *lists, err, sizeof(err)) == -1) {
			hostlist_free(&hl);
			return strcpy(out, "ERR");
		}
	if (exclude != NULL) {
		cr_assert_eq(hostlist_add(&ex, exclude, err, sizeof(err)), 0);
		cr_assert_eq(hostlist_exclude(&hl, &ex), 0);
	}
	out[0] = '\0';
	for (size_t i = 0; i < hl.n; i++)
		off += (size_t)snprintf(out + off, sizeof(out) - off, "%s%s",
		    i ? " " : "", hl.hosts[i]);
	hostlist_free(&hl);
	hostlist_free(&ex);
	return out;
}

static void
expands(const char *list, const char *want)
{
	const char *lists[] = { list, NULL };

	cr_assert_str_eq(expand(lists, NULL), want, "list '%s'", list);
}

static void
folds(const char *hosts, const char *want)
{
	char *copy = strdup(hosts), *save, *tok, *v[64], *got;
	size_t n = 0;

	for (tok = strtok_r(copy, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save))
		v[n++] = tok;
	got = hostlist_fold(v, n);
	cr_assert_not_null(got);
	cr_assert_str_eq(got, want, "hosts '%s'", hosts);
	free(got);
	free(copy);
}

Test(hostlist, plain_and_lists)
{
	expands("a", "a");
	expands("a,b,c", "a b c");
	expands("a,,b", "a b");
}

Test(hostlist, ranges_and_padding)
{
	expands("n[1-3]", "n1 n2 n3");
	expands("n[01-03,7]", "n01 n02 n03 n7");
	expands("n[001-003,007]", "n001 n002 n003 n007");
	expands("n[8-11]", "n8 n9 n10 n11");
	expands("n[098-101]", "n098 n099 n100 n101");
	expands("n[5]", "n5");
	expands("n[1-2].lab", "n1.lab n2.lab");
}

Test(hostlist, products)
{
	expands("r[1-2]n[1-2]", "r1n1 r1n2 r2n1 r2n2");
	expands("r[1-2]n[1-2],x", "r1n1 r1n2 r2n1 r2n2 x");
}

Test(hostlist, ipv6_ports_users)
{
	expands("[::1]:5120", "[::1]:5120");
	expands("[::1]:[7001-7002]", "[::1]:7001 [::1]:7002");
	expands("127.0.0.1:[7001-7003]",
	    "127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003");
	expands("root@n[1-2]:22", "root@n1:22 root@n2:22");
	expands("[fe80::1%lo],n1", "[fe80::1%lo] n1");
}

Test(hostlist, duplicates_dropped_first_kept)
{
	expands("b,a,b,n[1-3],n2", "b a n1 n2 n3");
}

Test(hostlist, exclusion)
{
	const char *lists[] = { "n[1-5]", NULL };

	cr_assert_str_eq(expand(lists, "n[2-3],zz"), "n1 n4 n5");
	cr_assert_str_eq(expand(lists, "n[1-5]"), "");
}

Test(hostlist, several_lists)
{
	const char *lists[] = { "a,b", "n[1-2]", "a", NULL };

	cr_assert_str_eq(expand(lists, NULL), "a b n1 n2");
}

Test(hostlist, file_items)
{
	char path[] = "/tmp/rexec-hostlist-XXXXXX", item[64];
	const char text[] = "# the lab\nn1\n\n  n[2-3]  \nm1 # spare\n";
	int fd = mkstemp(path);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fd);
	snprintf(item, sizeof(item), "x,^%s", path);
	expands(item, "x n1 n2 n3 m1");
	unlink(path);
	expands("^/nonexistent/hosts", "ERR");
}

Test(hostlist, bad_lists)
{
	expands("", "ERR");
	expands(",", "ERR");
	expands("n[5-1]", "ERR");
	expands("n[1-3", "ERR");
	expands("n[]", "ERR");
	expands("n[1-]", "ERR");
	expands("n[1,]", "ERR");
	expands("n[-3]", "ERR");
	expands("n[0-100000]", "ERR");
	expands("a[1-400]b[1-400]", "ERR");
}

Test(hostlist, limit_is_exact)
{
	struct hostlist hl = { 0 };
	char err[128];

	cr_assert_eq(hostlist_add(&hl, "n[1-100000]", err, sizeof(err)), 0);
	cr_assert_eq(hl.n, 100000);
	cr_assert_eq(hostlist_add(&hl, "m1", err, sizeof(err)), -1);
	cr_assert(strstr(err, "more than") != NULL, "%s", err);
	hostlist_free(&hl);
}

Test(hostlist, fold)
{
	folds("n001 n002 n003 n004 n006", "n[001-004,006]");
	folds("n003 n007", "n[003,007]");
	folds("n012", "n012");
	folds("n9 n10 n11", "n[9-11]");
	folds("n099 n100", "n[099-100]");
	folds("n2 n1 x n3", "n[1-3],x");
	folds("a b", "a,b");
	folds("r1n1 r1n2 r2n1 r2n2", "r1n[1-2],r2n[1-2]");
	folds("127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7004",
	    "127.0.0.1:[7001-7002,7004]");
	folds("127.0.0.2 127.0.0.3 127.0.0.9", "127.0.0.[2-3,9]");
	folds("n1.lab n2.lab", "n[1-2].lab");
	folds("127.0.0.2:5120 127.0.0.3:5120 127.0.0.7:5120",
	    "127.0.0.[2-3,7]:5120");
	folds("127.0.0.2:5120 127.0.0.2:5121", "127.0.0.2:[5120-5121]");
	folds("r1n1 r2n1", "r[1-2]n1");
	folds("", "");
}

Test(hostlist, fold_round_trips)
{
	struct hostlist hl = { 0 }, back = { 0 };
	char err[128], *f;

	cr_assert_eq(hostlist_add(&hl, "n[001-040,077],m[1-3]x,q", err,
	    sizeof(err)), 0);
	cr_assert_not_null(f = hostlist_fold(hl.hosts, hl.n));
	cr_assert_eq(hostlist_add(&back, f, err, sizeof(err)), 0);
	cr_assert_eq(back.n, hl.n);
	for (size_t i = 0; i < hl.n; i++)
		cr_assert_str_eq(back.hosts[i], hl.hosts[i]);
	free(f);
	hostlist_free(&hl);
	hostlist_free(&back);
}
