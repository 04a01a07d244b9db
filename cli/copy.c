/* SPDX-License-Identifier: ISC */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive_pack.h"
#include "archive_unpack.h"
#include "copy.h"
#include "copyenc.h"
#include "fail.h"
#include "textsafe.h"

/* Bytes of every host's stream spooled so far (--rcopy's progress). */
static unsigned long long spooled;

struct copyrun {
	bool		 send;		/* --copy; else --rcopy */
	bool		 preserve;
	char		**srcs;
	size_t		 nsrcs;
	char		**names;	/* --rcopy: each source's NAME */
	char		*dest;		/* --copy: the remote DIR */
	const char	*ldest;		/* --rcopy: the local DIR */
	int		 destfd;	/* its O_PATH descriptor */
	int		 cwdfd;		/* ours, back after extracting */
	struct pack	*pack;
	char		**env;		/* what the request sends */
	char		 err[1536];
};

static int	 split_words(struct copyrun *, const struct copyopts *,
		    char **, int, const char **dest);
static int	 default_dest(struct copyrun *);
static int	 open_local_dest(struct copyrun *, const char *);
static int	 rcopy_names(struct copyrun *);
static int	 push_env(char **, size_t *, const char *, const char *);

int
copy_take(struct copyopts *c, int opt, const char *arg)
{
	switch (opt) {
	case COPY_OPT_COPY:
		c->copy = true;
		break;
	case COPY_OPT_RCOPY:
		c->rcopy = true;
		break;
	case COPY_OPT_DEST:
		c->dest = arg;
		break;
	case COPY_OPT_PRESERVE:
		c->preserve = true;
		break;
	default:
		return -1;
	}
	if (c->copy && c->rcopy)
		return usage_error("--copy and --rcopy go apart");
	return 0;
}

bool
copy_mode(const struct copyopts *c)
{
	return c->copy || c->rcopy;
}

const char *
copy_stray_option(const struct copyopts *c)
{
	if (c->copy)
		return "--copy";
	if (c->rcopy)
		return "--rcopy";
	if (c->dest != NULL)
		return "--dest";
	if (c->preserve)
		return "--preserve";
	return NULL;
}

struct copyrun *
copy_prepare(const struct copyopts *o, char **words, int nwords)
{
	struct copyrun *r = calloc(1, sizeof(*r));
	const char *dest = o->dest;

	if (r == NULL) {
		report("out of memory");
		return NULL;
	}
	r->destfd = r->cwdfd = -1;
	r->send = o->copy;
	r->preserve = o->preserve;
	if (split_words(r, o, words, nwords, &dest) == -1)
		goto fail;
	if (r->send) {
		if (dest != NULL ? (r->dest = strdup(dest)) == NULL :
		    default_dest(r) == -1)
			goto fail;
		if ((r->pack = pack_new(r->srcs, r->nsrcs, r->err,
		    sizeof(r->err))) == NULL) {
			report("%s", r->err);
			goto fail;
		}
	} else if (open_local_dest(r, dest) == -1 || rcopy_names(r) == -1)
		goto fail;
	return r;
fail:
	copy_free(r);
	return NULL;
}

/* --dest and --preserve may stand among the sources (files.md). */
static int
split_words(struct copyrun *r, const struct copyopts *o, char **words,
    int nwords, const char **dest)
{
	if ((r->srcs = calloc((size_t)nwords + 1, sizeof(*r->srcs))) == NULL)
		return report("out of memory"), -1;
	for (int i = 0; i < nwords; i++) {
		if (strcmp(words[i], "--preserve") == 0)
			r->preserve = true;
		else if (strcmp(words[i], "--dest") == 0 && i + 1 < nwords)
			*dest = words[++i];
		else if (strncmp(words[i], "--dest=", 7) == 0)
			*dest = words[i] + 7;
		else if (strcmp(words[i], "--dest") == 0)
			return usage_error("option --dest needs a value");
		else
			r->srcs[r->nsrcs++] = words[i];
	}
	if (r->nsrcs == 0)
		return usage_error("%s needs a source", o->copy ? "--copy" :
		    "--rcopy");
	if (r->nsrcs > COPY_SRC_MAX)
		return usage_error("at most %d sources", COPY_SRC_MAX);
	if (*dest != NULL && (*dest)[0] == '\0')
		return usage_error("--dest wants a directory");
	return 0;
}

/* As clush --copy: the absolute path of the first source's directory. */
static int
default_dest(struct copyrun *r)
{
	const char *src = r->srcs[0];
	size_t len = strlen(src);
	char *dir;

	while (len > 1 && src[len - 1] == '/')
		len--;
	while (len > 0 && src[len - 1] != '/')
		len--;
	if ((dir = strndup(src, len)) == NULL)
		return report("out of memory"), -1;
	r->dest = realpath(len > 0 ? dir : ".", NULL);
	free(dir);
	if (r->dest == NULL)
		return report("the directory of %s: %s", src, strerror(errno)),
		    -1;
	return 0;
}

static int
open_local_dest(struct copyrun *r, const char *dest)
{
	char safe[TEXTSAFE_SIZE(200)];

	if (dest == NULL)
		return usage_error("--rcopy needs --dest DIR");
	r->ldest = dest;
	if ((r->destfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (r->cwdfd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		text_safe_str(safe, sizeof(safe), r->destfd == -1 ? dest : ".",
		    TEXT_UTF8);
		return report("%s: %s", safe, strerror(errno)), -1;
	}
	return 0;
}

static int
rcopy_names(struct copyrun *r)
{
	char name[256], safe[TEXTSAFE_SIZE(200)];

	if ((r->names = calloc(r->nsrcs, sizeof(*r->names))) == NULL)
		return report("out of memory"), -1;
	for (size_t i = 0; i < r->nsrcs; i++) {
		if (copyenc_name(r->srcs[i], name, sizeof(name)) == -1) {
			text_safe_str(safe, sizeof(safe), r->srcs[i],
			    TEXT_UTF8);
			return usage_error("%s: not a file or directory name",
			    safe);
		}
		if ((r->names[i] = strdup(name)) == NULL)
			return report("out of memory"), -1;
	}
	return 0;
}

void
copy_free(struct copyrun *r)
{
	if (r == NULL)
		return;
	pack_free(r->pack);
	for (size_t i = 0; r->names != NULL && i < r->nsrcs; i++)
		free(r->names[i]);
	for (size_t i = 0; r->env != NULL && r->env[i] != NULL; i++)
		free(r->env[i]);
	free(r->names);
	free(r->env);
	free(r->srcs);
	free(r->dest);
	if (r->destfd != -1)
		close(r->destfd);
	if (r->cwdfd != -1)
		close(r->cwdfd);
	free(r);
}

int
copy_request(struct copyrun *r, struct exec_req *req, char **env,
    size_t envc)
{
	char var[64];
	size_t n = 0;

	if ((r->env = calloc(envc + r->nsrcs + 3, sizeof(*r->env))) == NULL)
		return -1;
	for (size_t i = 0; i < envc; i++)
		if ((r->env[n++] = strdup(env[i])) == NULL)
			return -1;
	if (r->send && (push_env(r->env, &n, COPY_ENV_DIR, r->dest) == -1 ||
	    (r->preserve && push_env(r->env, &n, COPY_ENV_PRESERVE, NULL) ==
	    -1)))
		return -1;
	for (size_t i = 0; !r->send && i < r->nsrcs; i++) {
		snprintf(var, sizeof(var), "%s%zu", COPY_ENV_SRC, i);
		if (push_env(r->env, &n, var, r->srcs[i]) == -1)
			return -1;
	}
	req->subsystem = r->send ? "rexec-copy-in" : "rexec-copy-out";
	req->env = r->env;
	req->envc = n;
	req->stdin_open = r->send;
	return 0;
}

/* NAME=encoded(value), or NAME=1 without a value. */
static int
push_env(char **env, size_t *n, const char *name, const char *value)
{
	char *enc = value != NULL ? copyenc_encode(value) : strdup("1");
	size_t len;

	if (enc == NULL)
		return -1;
	len = strlen(name) + strlen(enc) + 2;
	if ((env[*n] = malloc(len)) == NULL) {
		free(enc);
		return -1;
	}
	snprintf(env[(*n)++], len, "%s=%s", name, enc);
	free(enc);
	return 0;
}

bool
copy_sends(const struct copyrun *r)
{
	return r->send;
}

ssize_t
copy_fill(void *buf, size_t len, void *arg)
{
	struct copyrun *r = arg;

	return pack_fill(r->pack, buf, len);
}

const char *
copy_fill_error(const struct copyrun *r)
{
	return pack_error(r->pack);
}

/* In DEST: on its filesystem, a full disk shows while the data comes. */
int
copy_spool_open(const struct copyrun *r)
{
	char path[PATH_MAX];
	int fd;

	fd = openat(r->destfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	if (snprintf(path, sizeof(path), "%s/.rexec-rcopy.XXXXXX",
	    r->ldest) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) != -1)
		(void)unlink(path);
	return fd;
}

int
copy_spool_write(int fd, const void *p, size_t n)
{
	const unsigned char *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
		spooled += (unsigned long long)w;
	}
	return 0;
}

unsigned long long
copy_spooled(void)
{
	return spooled;
}

/* Relative to DEST: libarchive's SECURE checks apply below it only. */
int
copy_extract(const struct copyrun *r, int fd, const char *label, char *err,
    size_t errlen)
{
	struct unpack_names names = { .names = r->names, .n = r->nsrcs,
	    .suffix = label };
	int ret;

	if (strchr(label, '/') != NULL || strcmp(label, "..") == 0) {
		snprintf(err, errlen, "a host name with '/' cannot name a "
		    "copy");
		return -1;
	}
	if (lseek(fd, 0, SEEK_SET) == -1 || fchdir(r->destfd) == -1) {
		snprintf(err, errlen, "cannot extract: %s", strerror(errno));
		return -1;
	}
	ret = unpack_fd(fd, &names, r->preserve ? UNPACK_PRESERVE : 0, err,
	    errlen);
	if (fchdir(r->cwdfd) == -1 && ret == 0) {
		snprintf(err, errlen, "cannot return to the directory: %s",
		    strerror(errno));
		ret = -1;
	}
	return ret;
}
