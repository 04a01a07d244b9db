/* SPDX-License-Identifier: ISC */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>

#include "inqueue.h"

static void	advance(struct inqueue *, size_t);

void
inq_init(struct inqueue *q, const struct inq_ops *ops, void *arg,
    const bool *stop)
{
	q->ops = ops;
	q->arg = arg;
	q->stop = stop;
	q->first = q->count = 0;
	q->pending = false;
	q->have_deferred = false;
}

void
inq_process(struct inqueue *q, struct decoder *dec)
{
	struct proto_error e;
	struct frame f;
	int k;

	while (!*q->stop) {
		if ((q->have_deferred || q->count == INQ_IOV_MAX) &&
		    q->ops->flush(q->arg) == 1)
			return;
		if (q->have_deferred) {
			q->have_deferred = false;
			q->ops->on_frame(q->arg, &q->deferred);
			continue;
		}
		if ((k = decoder_next(dec, &f)) == 0)
			break;
		if (k == -1) {
			decoder_describe_error(dec, &e);
			q->ops->on_error(q->arg, &e);
			return;
		}
		if (f.type == FRAME_STDIN)
			q->ops->on_stdin(q->arg, &f);
		else {
			q->deferred = f;
			q->have_deferred = true;
		}
	}
	if (!*q->stop)
		(void)q->ops->flush(q->arg);
}

void
inq_push(struct inqueue *q, const void *p, size_t len)
{
	q->iov[q->count++] = (struct iovec){ (void *)(uintptr_t)p, len };
}

int
inq_write(struct inqueue *q, int fd)
{
	while (q->first < q->count) {
		ssize_t n = writev(fd, q->iov + q->first, q->count - q->first);
		if (n > 0) {
			advance(q, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			q->pending = true;
			return 1;
		}
		inq_drop(q);
		return -1;
	}
	inq_drop(q);
	return 0;
}

/* Drops the n bytes written from the front of the queue. */
static void
advance(struct inqueue *q, size_t n)
{
	while (n > 0) {
		struct iovec *v = &q->iov[q->first];
		size_t k = n < v->iov_len ? n : v->iov_len;

		v->iov_base = (char *)v->iov_base + k;
		v->iov_len -= k;
		n -= k;
		if (v->iov_len == 0)
			q->first++;
	}
}

void
inq_drop(struct inqueue *q)
{
	q->first = q->count = 0;
	q->pending = false;
}

void
inq_clear_deferred(struct inqueue *q)
{
	if (q->have_deferred)
		frame_clear(&q->deferred);
	q->have_deferred = false;
}
