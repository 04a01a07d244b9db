#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fail.h"
#include "fdio.h"
#include "token.h"

static int	 read_token_file(const char *, char **);
static int	 check_mode(const char *, int fd);

int
token_load(const char *file, char **token)
{
	const char *env;

	*token = NULL;
	if (file != NULL)
		return read_token_file(file, token);
	if ((env = getenv("REXEC_TOKEN")) == NULL || env[0] == '\0')
		return 0;
	if ((*token = strdup(env)) == NULL)
		return fail("out of memory"), -1;
	return 0;
}

static int
read_token_file(const char *file, char **token)
{
	char buf[TOKEN_MAX + 2];
	ssize_t n;
	int fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return fail("token file %s: %s", file, strerror(errno)), -1;
	if (check_mode(file, fd) == -1 ||
	    (n = read_full(fd, buf, sizeof(buf) - 1)) == -1) {
		if (errno != EPERM)
			fail("token file %s: %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	n = (ssize_t)token_trim(buf, (size_t)n);
	if (n > TOKEN_MAX)
		return fail("token file %s: longer than %d bytes", file,
		    TOKEN_MAX), -1;
	if (n == 0 || memchr(buf, '\0', (size_t)n) != NULL)
		return fail("token file %s: empty or holds a NUL byte",
		    file), -1;
	if ((*token = strndup(buf, (size_t)n)) == NULL)
		return fail("out of memory"), -1;
	return 0;
}

/* A secret others can read is no secret: refuse it, as ssh does keys. */
static int
check_mode(const char *file, int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		fail("token file %s: permissions %04o are too open: it must "
		    "not be accessible by group or others (chmod 600)", file,
		    (unsigned)(st.st_mode & 07777));
		errno = EPERM;
		return -1;
	}
	return 0;
}
