/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "message.h"
#include "statusmsg.h"


int
msg_parse_status(const struct frame *f, struct status_req *r,
    struct proto_error *e)
{
	json_t *v;

	memset(r, 0, sizeof(*r));
	if (f->type != FRAME_STATUS || f->hdr == NULL)
		return proto_bad(e, "not a \"status\" request");
	if ((v = json_object_get(f->hdr, "version")) == NULL)
		return proto_bad(e, "\"status\" has no \"version\"");
	if (!json_is_integer(v))
		return proto_bad(e, "\"version\" is not an integer");
	if (json_integer_value(v) != PROTOCOL_VERSION) {
		proto_error_set(e, ERR_VERSION, "protocol version %lld is not "
		    "supported (this server speaks %d)",
		    (long long)json_integer_value(v), PROTOCOL_VERSION);
		return -1;
	}
	if ((v = json_object_get(f->hdr, "token")) != NULL) {
		if (!json_is_string(v))
			return proto_bad(e, "\"token\" is not a string");
		r->token = json_string_value(v);
		r->token_len = json_string_length(v);
	}
	if (msg_parse_munge(f->hdr, &r->munge, e) == -1) {
		memset(r, 0, sizeof(*r));
		return -1;
	}
	r->hdr = json_incref(f->hdr);
	return 0;
}

void
status_req_free(struct status_req *r)
{
	json_decref(r->hdr);
	memset(r, 0, sizeof(*r));
}

json_t *
msg_status_request(const char *token, const char *munge)
{
	json_t *h = json_pack("{s:s, s:i}", "type", "status", "version",
	    PROTOCOL_VERSION);

	if (h != NULL && ((token != NULL &&
	    json_object_set_new(h, "token", json_string(token)) == -1) ||
	    (munge != NULL &&
	    json_object_set_new(h, "munge", json_string(munge)) == -1))) {
		json_decref(h);
		return NULL;
	}
	return h;
}
