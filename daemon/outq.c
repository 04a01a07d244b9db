/* SPDX-License-Identifier: ISC */
#include <jansson.h>

#include "clock.h"
#include "frameio.h"
#include "outq.h"

static void	stall_watch(struct outq *, const struct stream_ctx *,
		    bool progressed);

int
outq_json(struct outq *q, json_t *hdr)
{
	int k = hdr != NULL ? frame_out_json(&q->frame, hdr, NULL, 0) : -1;

	json_decref(hdr);
	if (k == -1)
		return -1;
	q->pending = true;
	return 0;
}

void
outq_data(struct outq *q, enum frame_type type, const void *p, size_t len)
{
	frame_out_data(&q->frame, type, p, len);
	q->pending = true;
}

int
outq_send(struct outq *q, const struct stream_ctx *c)
{
	size_t before = q->frame.sent;
	int k = frame_out_send(&q->frame, c->sock);

	if (k == 0) {
		stall_watch(q, c, q->frame.sent != before);
		return 0;
	}
	q->stall_at = q->vanish_at = 0;
	if (k == -1)
		return -1;
	outq_release(q);
	return 1;
}

/* A client that takes not a byte for stall_timeout is dropped as gone. */
static void
stall_watch(struct outq *q, const struct stream_ctx *c, bool progressed)
{
	if (c->stall_timeout > 0 && (progressed || q->stall_at == 0))
		q->stall_at = now_ms() + (long long)c->stall_timeout * 1000;
	/* Keepalive probes only an idle connection: with output waiting,
	 * TCP tells a vanished client from one that reads nothing. */
	if (c->keepalive > 0 && (progressed || q->vanish_at == 0))
		q->vanish_at = now_ms() + (long long)c->keepalive * 1000;
}

void
outq_release(struct outq *q)
{
	if (q->pending)
		frame_out_release(&q->frame);
	q->pending = false;
}
