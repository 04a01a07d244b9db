/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "message.h"
#include "msgfield.h"
#include "statusmsg.h"

int
msg_parse_status(const struct frame *f, struct status_req *r,
    struct proto_error *e)
{
	memset(r, 0, sizeof(*r));
	if (f->type != FRAME_STATUS || f->hdr == NULL)
		return proto_bad(e, "not a \"status\" request");
	if (msg_check_version(f->hdr, "status", e) == -1)
		return -1;
	if (msg_opt_string(f->hdr, "token", &r->token, &r->token_len) == -1)
		return proto_bad(e, "\"token\" is not a string");
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
