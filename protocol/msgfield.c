/* SPDX-License-Identifier: ISC */
#include "frame.h"
#include "msgfield.h"

int
msg_check_version(json_t *hdr, const char *request, struct proto_error *e)
{
	json_t *v = json_object_get(hdr, "version");

	if (v == NULL) {
		proto_error_set(e, ERR_BAD_REQUEST, "\"%s\" has no \"version\"",
		    request);
		return -1;
	}
	if (!json_is_integer(v))
		return proto_bad(e, "\"version\" is not an integer");
	if (json_integer_value(v) != PROTOCOL_VERSION) {
		proto_error_set(e, ERR_VERSION, "protocol version %lld is not "
		    "supported (this server speaks %d)",
		    (long long)json_integer_value(v), PROTOCOL_VERSION);
		return -1;
	}
	return 0;
}

int
msg_opt_string(json_t *hdr, const char *key, const char **out, size_t *len)
{
	json_t *v = json_object_get(hdr, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return -1;
	*out = json_string_value(v);
	if (len != NULL)
		*len = json_string_length(v);
	return 1;
}
