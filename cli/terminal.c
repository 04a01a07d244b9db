/* SPDX-License-Identifier: ISC */
#include <sys/ioctl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "terminal.h"

#define TERM_DEFAULT	"dumb"
#define ROWS_DEFAULT	24
#define COLS_DEFAULT	80
#define ESCAPE_DEFAULT	'~'
#define HELP_MAX	512

/* %c: the escape character, as ssh's own help shows it. */
#define ESCAPE_HELP \
    "Supported escape sequences:\r\n" \
    " %c.   - disconnect\r\n" \
    " %c?   - this message\r\n" \
    " %c%c   - send the escape character by typing it twice\r\n" \
    "(Note that escapes are only recognized immediately after newline.)\r\n"

/* The terminal is the process's: one state, for every hook. */
static struct {
	bool		 asked;		/* a pty was requested */
	bool		 raw;		/* saved holds what to restore */
	struct termios	 saved;
	struct winsize_req size;	/* the last one sent */
	bool		 resized;	/* a winsize frame is due */
	bool		 line_start;	/* the last byte typed ended a line */
	bool		 held;		/* a ~ at a line's start, not sent */
	int		 escape;	/* 0: the default; -1: none */
} t;

static bool	get_size(int fd, struct winsize_req *);
static void	enter_raw(void);
static void	put_stderr(const char *, size_t);
static void	put_help(unsigned char);

void
term_set_escape(int c)
{
	t.escape = c;
}

bool
term_want_pty(bool force, bool forbid, bool has_command)
{
	if (forbid)
		return false;
	return force || (!has_command && isatty(0));
}

void
term_request(struct pty_req *p)
{
	const char *term = getenv("TERM");

	p->on = true;
	p->term = term != NULL && term[0] != '\0' ? term : TERM_DEFAULT;
	if (!get_size(0, &p->size) && !get_size(1, &p->size))
		p->size = (struct winsize_req){ ROWS_DEFAULT, COLS_DEFAULT };
	t.size = p->size;
	t.asked = true;
}

/* A terminal reporting 0 x 0 (a serial line) has no size to give. */
static bool
get_size(int fd, struct winsize_req *w)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == -1 || ws.ws_row == 0 ||
	    ws.ws_col == 0)
		return false;
	w->rows = ws.ws_row;
	w->cols = ws.ws_col;
	return true;
}

int
term_started(bool remote_pty)
{
	if (!t.asked)
		return 0;
	if (!remote_pty)
		return -1;
	if (isatty(0))
		enter_raw();
	return 0;
}

/*
 * As ssh does: no local echo, line editing or signal keys (^C goes to
 * the remote terminal as a byte), and no output processing either, which
 * the remote terminal did already.  The character size and parity are
 * left as they are, unlike cfmakeraw(3).
 */
static void
enter_raw(void)
{
	struct termios r;

	if (tcgetattr(0, &t.saved) == -1)
		return;
	r = t.saved;
	r.c_iflag |= IGNPAR;
	r.c_iflag &= ~(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY |
	    IXOFF | IUCLC);
	r.c_lflag &= ~(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL |
	    IEXTEN);
	r.c_oflag &= ~OPOST;
	r.c_cc[VMIN] = 1;
	r.c_cc[VTIME] = 0;
	/* Registered first: from here on, every exit restores. */
	if (atexit(term_restore) != 0)
		return;
	t.raw = true;
	t.line_start = true;
	if (tcsetattr(0, TCSADRAIN, &r) == -1)
		t.raw = false;
}

void
term_restore(void)
{
	int err = errno;

	if (t.raw) {
		t.raw = false;
		while (tcsetattr(0, TCSADRAIN, &t.saved) == -1 &&
		    errno == EINTR)
			;
	}
	errno = err;
}

void
term_on_winch(void)
{
	struct winsize_req w;

	if (t.asked && get_size(0, &w) &&
	    (w.rows != t.size.rows || w.cols != t.size.cols)) {
		t.size = w;
		t.resized = true;
	}
}

json_t *
term_winsize_frame(void)
{
	if (!t.resized)
		return NULL;
	t.resized = false;
	return msg_winsize(&t.size);
}

size_t
term_read_reserve(void)
{
	return t.raw ? 1 : 0;
}

/*
 * Escapes are read only from a terminal in raw mode (as ssh: never from
 * a pipe, whose data may hold anything).  Written in place: the output
 * is at most one byte longer than the input (a ~ held from the last
 * read), and never overtakes the byte being read.
 */
enum term_action
term_filter(unsigned char *buf, size_t *n, size_t cap)
{
	size_t r, w = 0, len = *n;
	bool esc = false;
	unsigned char ec = t.escape > 0 ? (unsigned char)t.escape :
	    ESCAPE_DEFAULT;

	if (!t.raw || t.escape < 0)
		return TERM_SEND;
	if (t.held && len < cap) {
		memmove(buf + 1, buf, len++);
		buf[0] = ec;
		t.held = false;
	}
	for (r = 0; r < len; r++) {
		unsigned char c = buf[r];

		if (esc) {
			esc = false;
			if (c == '.')
				return TERM_DISCONNECT;
			if (c == '?') {
				put_help(ec);
				continue;
			}
			if (c != ec)
				buf[w++] = ec;
		} else if (c == ec && t.line_start) {
			esc = true;
			continue;
		}
		buf[w++] = c;
		t.line_start = c == '\r' || c == '\n';
	}
	t.held = esc;
	*n = w;
	return TERM_SEND;
}

static void
put_help(unsigned char ec)
{
	char help[HELP_MAX];
	int n;

	n = snprintf(help, sizeof(help), ESCAPE_HELP, ec, ec, ec, ec);
	if (n > 0 && (size_t)n < sizeof(help))
		put_stderr(help, (size_t)n);
}

static void
put_stderr(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(2, s, n);
		if (k <= 0 && errno != EINTR)
			return;
		if (k > 0) {
			s += k;
			n -= (size_t)k;
		}
	}
}
