/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: arbitrary bytes through the decoder, fed in pieces
 * whose sizes come from the input itself, and every decoded frame through
 * the typed validators.  Built and run by `make fuzz`.
 */
#include <stddef.h>
#include <stdint.h>

#include "connectmsg.h"
#include "decode.h"
#include "message.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
validate(const struct frame *f)
{
	struct proto_error e;
	struct exec_req r;
	struct exit_status x;
	struct proto_error got;
	int signo;
	pid_t pid;
	struct winsize_req w;
	struct connect_req c;

	switch (f->type) {
	case FRAME_EXEC:
		if (msg_parse_exec(f, &r, &e) == 0)
			exec_req_free(&r);
		break;
	case FRAME_CONNECT:
		if (msg_parse_connect(f, &c, &e) == 0)
			connect_req_free(&c);
		break;
	case FRAME_SIGNAL:
		(void)msg_parse_signal(f, &signo, &e);
		break;
	case FRAME_STARTED:
		(void)msg_parse_started(f, &pid, &e);
		(void)msg_started_pty(f);
		break;
	case FRAME_WINSIZE:
		(void)msg_parse_winsize(f, &w, &e);
		break;
	case FRAME_EXIT:
		(void)msg_parse_exit(f, &x, &e);
		break;
	case FRAME_ERROR:
		(void)msg_parse_error(f, &got, &e);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct decoder d;
	struct frame f;
	struct proto_error e;
	size_t off = 0, step;

	if (size == 0)
		return 0;
	/* First byte picks the feeding piece size: 1..256 bytes or all. */
	step = data[0] == 0 ? size : data[0];
	data++;
	size--;
	decoder_init(&d);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		decoder_feed(&d, data + off, n);
		off += n;
		while (decoder_next(&d, &f) == 1) {
			validate(&f);
			frame_clear(&f);
		}
		if (decoder_error(&d) != DECODE_OK) {
			decoder_describe_error(&d, &e);
			break;
		}
	}
	decoder_free(&d);
	return 0;
}
