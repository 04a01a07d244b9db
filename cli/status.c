/* SPDX-License-Identifier: ISC */
#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "clock.h"
#include "decode.h"
#include "dial.h"
#include "fail.h"
#include "failmsg.h"
#include "frameio.h"
#include "message.h"
#include "status.h"
#include "statusmsg.h"
#include "statustable.h"

/* The whole exchange after connecting: a daemon answers at once. */
#define STATUS_ANSWER_MS	30000

static int	ask(int sock, const char *token, const char *munge);
static int	read_answer(int sock, struct decoder *, struct frame *);
static int	on_answer(const struct frame *, bool json);
static int	on_error(const struct frame *);

int
status_run(const char *host, const char *port, int family, int connect_ms,
    const char *token, const char *munge, bool json)
{
	struct decoder dec;
	struct frame f = { 0 };
	int sock, status = EXIT_REXEC_FAILED;

	if ((sock = dial(host, port, family, connect_ms)) == -1)
		return EXIT_REXEC_FAILED;
	decoder_init(&dec);
	if (ask(sock, token, munge) == 0 && read_answer(sock, &dec, &f) == 0) {
		if (f.type == FRAME_STATUS)
			status = on_answer(&f, json);
		else if (f.type == FRAME_ERROR)
			status = on_error(&f);
		else
			report("protocol error: unexpected %s frame",
			    frame_type_name(f.type));
		frame_clear(&f);
	}
	decoder_free(&dec);
	close(sock);
	return status;
}

static int
ask(int sock, const char *token, const char *munge)
{
	json_t *req = msg_status_request(token, munge);

	if (req == NULL) {
		report("cannot encode the request: is the token valid UTF-8?");
		return -1;
	}
	/* A small frame into an empty socket buffer: it does not block. */
	if (msg_send(sock, req) == -1) {
		report("send: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The first frame from the server, within STATUS_ANSWER_MS: 0 or -1. */
static int
read_answer(int sock, struct decoder *dec, struct frame *f)
{
	long long deadline = now_ms() + STATUS_ANSWER_MS;
	struct pollfd p = { .fd = sock, .events = POLLIN };
	struct proto_error e;
	ssize_t n;
	int r;

	while ((r = decoder_next(dec, f)) == 0) {
		if (now_ms() >= deadline) {
			report("no answer within %d s", STATUS_ANSWER_MS /
			    1000);
			return -1;
		}
		if (poll(&p, 1, deadline_timeout(deadline, now_ms())) == -1 &&
		    errno != EINTR) {
			report("poll: %s", strerror(errno));
			return -1;
		}
		n = decoder_read(dec, sock);
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			report("connection closed before the answer%s%s",
			    n == 0 ? "" : ": ", n == 0 ? "" : strerror(errno));
			return -1;
		}
	}
	if (r == 1)
		return 0;
	decoder_describe_error(dec, &e);
	report("protocol error: %s", e.message);
	return -1;
}

static int
on_answer(const struct frame *f, bool json)
{
	json_error_t je;
	json_t *doc;
	int status;

	doc = json_loadb((const char *)f->payload, f->len, 0, &je);
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		return report("protocol error: the status document is not a "
		    "JSON object");
	}
	if (json) {
		/* The daemon's document, byte for byte. */
		status = fwrite(f->payload, 1, f->len, stdout) == f->len &&
		    putchar('\n') != EOF ? 0 : EXIT_REXEC_FAILED;
	} else
		status = statustable_print(stdout, doc, failmsg_flags()) == 0 ? 0 :
		    EXIT_REXEC_FAILED;
	json_decref(doc);
	if (fflush(stdout) == EOF || status != 0)
		return report("stdout: %s", strerror(errno));
	return 0;
}

static int
on_error(const struct frame *f)
{
	struct proto_error err, e;

	if (msg_parse_error(f, &err, &e) == -1)
		return report("protocol error: %s", e.message);
	if (err.code == ERR_AUTH)
		return report("authentication refused: %s", err.message);
	return report("%s: %s", err_code_name(err.code), err.message);
}
