/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "connectmsg.h"
#include "message.h"
#include "msgfield.h"

static int	parse_target(json_t *, struct connect_req *,
		    struct proto_error *);
static int	parse_ids(json_t *, struct connect_req *, struct proto_error *);

int
msg_parse_connect(const struct frame *f, struct connect_req *r,
    struct proto_error *e)
{
	memset(r, 0, sizeof(*r));
	if (f->type != FRAME_CONNECT || f->hdr == NULL)
		return proto_bad(e, "not a \"connect\" request");
	if (msg_check_version(f->hdr, "connect", e) == -1 ||
	    parse_target(f->hdr, r, e) == -1 ||
	    parse_ids(f->hdr, r, e) == -1) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	r->hdr = json_incref(f->hdr);
	return 0;
}

/* The host goes to getaddrinfo and into the log: a word of printable
 * ASCII, as names and address literals are. */
static int
parse_target(json_t *hdr, struct connect_req *r, struct proto_error *e)
{
	json_t *port = json_object_get(hdr, "port");
	size_t len = 0;

	if (msg_opt_string(hdr, "host", &r->host, &len) != 1)
		return proto_bad(e, "\"connect\" has no \"host\" string");
	if (len == 0 || len > CONNECT_HOST_MAX || strlen(r->host) != len)
		return proto_bad(e, "\"host\" is empty, too long or holds "
		    "a NUL");
	for (const char *p = r->host; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return proto_bad(e, "\"host\" is not a host name or "
			    "address");
	if (!json_is_integer(port) || json_integer_value(port) < 1 ||
	    json_integer_value(port) > 65535)
		return proto_bad(e, "\"port\" is not an integer from 1 to "
		    "65535");
	r->port = (unsigned)json_integer_value(port);
	return 0;
}

static int
parse_ids(json_t *hdr, struct connect_req *r, struct proto_error *e)
{
	return msg_parse_ids(hdr, &r->token, &r->token_len, &r->user,
	    &r->munge, e);
}

void
connect_req_free(struct connect_req *r)
{
	json_decref(r->hdr);
	memset(r, 0, sizeof(*r));
}

static int
set_opt(json_t *h, const char *key, const char *v, size_t len)
{
	return v == NULL ? 0 : json_object_set_new(h, key,
	    json_stringn(v, len));
}

json_t *
msg_connect(const struct connect_req *r)
{
	json_t *h = json_pack("{s:s, s:i, s:s, s:i}", "type", "connect",
	    "version", PROTOCOL_VERSION, "host", r->host, "port",
	    (int)r->port);

	if (h == NULL || set_opt(h, "token", r->token, r->token_len) == -1 ||
	    set_opt(h, "user", r->user, r->user ? strlen(r->user) : 0) == -1 ||
	    set_opt(h, "munge", r->munge, r->munge ? strlen(r->munge) : 0) ==
	    -1) {
		json_decref(h);
		return NULL;
	}
	return h;
}
