/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <bsd/string.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account.h"
#include "acctrules.h"
#include "clock.h"

/*
 * An account is looked up (getpwnam, getgrouplist, getspnam: /etc/passwd,
 * /etc/group and /etc/shadow, or NSS, and /etc/shells) once, not for
 * every command: the result is kept while these files are unchanged, for
 * ACCOUNT_TTL_MS at most (other NSS sources have no file to watch).  A
 * reload replaces the workers anyway.
 */
#define ACCOUNT_TTL_MS	60000

static const char *const watched[] = {
	"/etc/passwd", "/etc/group", "/etc/shadow", "/etc/shells"
};
#define NWATCHED	(sizeof(watched) / sizeof(watched[0]))

struct account_cache {
	bool		valid;
	long long	until;
	struct stat	files[NWATCHED];
	char		key[USER_MAX];	/* the name asked for, "" the default */
	struct account	a;
};

static struct account_cache	acache;
/* The daemon's, not the worker's: a worker runs as its own account. */
static uid_t			daemon_uid;
static gid_t			daemon_gid;

static bool	 cache_fresh(const struct account_cache *, const char *key,
		    const struct stat *, long long now);
static int	 lookup(const struct config *, const char *user,
		    struct account *, const char **why);
static bool	 is_default(const struct config *, const char *user);
static int	 lookup_default(const struct config *, struct account *);
static int	 lookup_requested(const struct config *, const char *user,
		    struct account *, const char **why);
static const char *refusal(const struct config *, const char *user,
		    struct passwd **);
static bool	 has_group0(const struct account *);
static bool	 listed(const struct config *, const char *user);
static int	 fill(struct account *, const struct passwd *, bool drop);
static int	 account_groups(struct account *);
static void	 file_stamp(const char *, struct stat *);

void
account_init(void)
{
	daemon_uid = geteuid();
	daemon_gid = getegid();
}

const struct account *
account_get(const struct config *cf, const char *user, const char **why)
{
	struct account_cache *c = &acache;
	const char *key = user != NULL && !is_default(cf, user) ? user : "";
	struct stat files[NWATCHED];
	long long now = now_ms();

	*why = NULL;
	if (strlen(key) >= sizeof(c->key)) {
		*why = "name too long";
		return NULL;
	}
	for (size_t i = 0; i < NWATCHED; i++)
		file_stamp(watched[i], &files[i]);
	if (cache_fresh(c, key, files, now))
		return &c->a;
	c->valid = false;
	if (lookup(cf, key[0] != '\0' ? key : NULL, &c->a, why) == -1)
		return NULL;
	c->valid = true;
	c->until = now + ACCOUNT_TTL_MS;
	memcpy(c->files, files, sizeof(c->files));
	strlcpy(c->key, key, sizeof(c->key));
	return &c->a;
}

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool
cache_fresh(const struct account_cache *c, const char *key,
    const struct stat *files, long long now)
{
	if (!c->valid || now >= c->until || strcmp(c->key, key) != 0)
		return false;
	for (size_t i = 0; i < NWATCHED; i++)
		if (!same_file(&files[i], &c->files[i]))
			return false;
	return true;
}

static int
lookup(const struct config *cf, const char *user, struct account *a,
    const char **why)
{
	free(a->groups);
	memset(a, 0, sizeof(*a));
	if (user == NULL) {
		if (lookup_default(cf, a) == 0)
			return 0;
		*why = "the default account does not exist";
		return -1;
	}
	return lookup_requested(cf, user, a, why);
}

/* Asking for the default account by name needs no users entry. */
static bool
is_default(const struct config *cf, const char *user)
{
	struct passwd *pw;

	if (cf->user[0] != '\0')
		return strcmp(user, cf->user) == 0;
	return (pw = getpwuid(daemon_uid)) != NULL &&
	    strcmp(pw->pw_name, user) == 0;
}

static int
lookup_default(const struct config *cf, struct account *a)
{
	struct passwd *pw;

	pw = cf->user[0] != '\0' ? getpwnam(cf->user) : getpwuid(daemon_uid);
	if (pw != NULL)
		return fill(a, pw, cf->user[0] != '\0' && daemon_uid == 0);
	if (cf->user[0] != '\0')
		return -1;
	a->uid = daemon_uid;
	a->gid = daemon_gid;
	snprintf(a->name, sizeof(a->name), "%u", (unsigned)a->uid);
	strlcpy(a->home, "/", sizeof(a->home));
	strlcpy(a->shell, "/bin/sh", sizeof(a->shell));
	return 0;
}

/*
 * The same path as the default account's, once the users key allows it
 * and the account passes sshd's rules; root's group (primary or
 * supplementary) gives root's rights to files as much as its uid does.
 */
static int
lookup_requested(const struct config *cf, const char *user,
    struct account *a, const char **why)
{
	struct passwd *pw = NULL;

	if ((*why = refusal(cf, user, &pw)) != NULL)
		return -1;
	if (fill(a, pw, daemon_uid == 0) == -1)
		*why = "cannot read its groups";
	else if (has_group0(a) && !cf->allow_root)
		*why = "supplementary group 0 needs allow_root = yes";
	return *why == NULL ? 0 : -1;
}

/* The rule the account breaks, NULL when none; *pw is set once found. */
static const char *
refusal(const struct config *cf, const char *user, struct passwd **pw)
{
	if (!listed(cf, user))
		return "not in users";
	if ((*pw = getpwnam(user)) == NULL)
		return "no such account";
	if ((*pw)->pw_uid == 0 && !cf->allow_root)
		return "root needs allow_root = yes";
	if ((*pw)->pw_gid == 0 && !cf->allow_root)
		return "primary group 0 needs allow_root = yes";
	if (daemon_uid != 0 && (*pw)->pw_uid != daemon_uid)
		return "switching accounts needs rexecd started as root";
	if (cf->worker_drop && (*pw)->pw_uid == cf->worker_uid)
		return "the workers' own account";
	return acct_refusal((*pw)->pw_name, (*pw)->pw_shell);
}

static bool
has_group0(const struct account *a)
{
	for (int i = 0; i < a->ngroups; i++)
		if (a->groups[i] == 0)
			return true;
	return false;
}

static bool
listed(const struct config *cf, const char *user)
{
	if (cf->users_any)
		return true;
	for (size_t i = 0; i < cf->nusers; i++)
		if (strcmp(cf->users[i], user) == 0)
			return true;
	return false;
}

static int
fill(struct account *a, const struct passwd *pw, bool drop)
{
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->drop = drop;
	if (strlcpy(a->name, pw->pw_name, sizeof(a->name)) >= sizeof(a->name))
		return -1;
	strlcpy(a->home, pw->pw_dir, sizeof(a->home));
	strlcpy(a->shell, pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh",
	    sizeof(a->shell));
	return a->drop ? account_groups(a) : 0;
}

static int
account_groups(struct account *a)
{
	int n = 32;

	for (;;) {
		gid_t *g = reallocarray(a->groups, (size_t)n, sizeof(gid_t));
		int want = n;

		if (g == NULL)
			return -1;
		a->groups = g;
		if (getgrouplist(a->name, a->gid, a->groups, &want) != -1) {
			a->ngroups = want;
			return 0;
		}
		if (want <= n || want > 65536)
			return -1;
		n = want;
	}
}

static void
file_stamp(const char *path, struct stat *st)
{
	if (stat(path, st) == -1)
		memset(st, 0, sizeof(*st));
}
