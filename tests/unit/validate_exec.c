/* SPDX-License-Identifier: ISC */
/* Typed validation of "exec" and the other frames: codes and messages. */
#include <signal.h>
#include <string.h>

#include <criterion/criterion.h>

#include "frame_bytes.h"
#include "message.h"

/* Decodes one header and validates it as exec; returns the error code. */
static enum err_code
exec_code(const char *hdr, struct exec_req *out)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error e = { 0 };
	struct exec_req tmp;
	int r;

	bytes_frame(&b, hdr, NULL, 0);
	decode_one_frame(&b, &d, &f);
	r = msg_parse_exec(&f, out ? out : &tmp, &e);
	if (r == 0 && out == NULL)
		exec_req_free(&tmp);
	if (r == -1)
		cr_assert_neq(e.message[0], '\0', "an error needs a message");
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
	return r == 0 ? ERR_NONE : e.code;
}

#define EXEC(members)	"{\"type\":\"exec\",\"version\":1," members "}"

Test(validate_exec, minimal_shell_and_argv)
{
	cr_assert_eq(exec_code(EXEC("\"cmd\":\"true\""), NULL), ERR_NONE);
	cr_assert_eq(exec_code(EXEC("\"argv\":[\"true\"]"), NULL), ERR_NONE);
}

Test(validate_exec, version)
{
	cr_assert_eq(exec_code("{\"type\":\"exec\",\"cmd\":\"x\"}", NULL),
	    ERR_BAD_REQUEST);
	cr_assert_eq(exec_code("{\"type\":\"exec\",\"version\":2,"
	    "\"cmd\":\"x\"}", NULL), ERR_VERSION);
	cr_assert_eq(exec_code("{\"type\":\"exec\",\"version\":0,"
	    "\"cmd\":\"x\"}", NULL), ERR_VERSION);
	cr_assert_eq(exec_code("{\"type\":\"exec\",\"version\":\"1\","
	    "\"cmd\":\"x\"}", NULL), ERR_BAD_REQUEST);
	cr_assert_eq(exec_code("{\"type\":\"exec\",\"version\":1.0,"
	    "\"cmd\":\"x\"}", NULL), ERR_BAD_REQUEST);
}

Test(validate_exec, exactly_one_of_cmd_argv)
{
	cr_assert_eq(exec_code(EXEC("\"x\":1"), NULL), ERR_BAD_REQUEST);
	cr_assert_eq(exec_code(EXEC("\"cmd\":\"a\",\"argv\":[\"a\"]"), NULL),
	    ERR_BAD_REQUEST);
}

Test(validate_exec, wrong_member_types)
{
	const char *bad[] = {
		EXEC("\"cmd\":1"),
		EXEC("\"cmd\":\"\""),
		EXEC("\"argv\":\"ls\""),
		EXEC("\"argv\":[]"),
		EXEC("\"argv\":[\"ls\",3]"),
		EXEC("\"argv\":[\"\"]"),
		EXEC("\"cmd\":\"x\",\"env\":[]"),
		EXEC("\"cmd\":\"x\",\"env\":{\"A\":1}"),
		EXEC("\"cmd\":\"x\",\"env\":{\"A=B\":\"1\"}"),
		EXEC("\"cmd\":\"x\",\"env\":{\"\":\"1\"}"),
		EXEC("\"cmd\":\"x\",\"cwd\":5"),
		EXEC("\"cmd\":\"x\",\"cwd\":\"\""),
		EXEC("\"cmd\":\"x\",\"timeout\":0"),
		EXEC("\"cmd\":\"x\",\"timeout\":-1"),
		EXEC("\"cmd\":\"x\",\"timeout\":\"5\""),
		EXEC("\"cmd\":\"x\",\"timeout\":1e300"),
		EXEC("\"cmd\":\"x\",\"stdin\":1"),
		EXEC("\"cmd\":\"x\",\"token\":true"),
		EXEC("\"cmd\":\"x\",\"user\":0"),
		EXEC("\"cmd\":\"x\",\"user\":\"\""),
		EXEC("\"cmd\":\"x\",\"user\":null"),
		EXEC("\"cmd\":\"x\",\"shell\":1"),
		EXEC("\"subsystem\":1"),
		EXEC("\"subsystem\":\"\""),
		EXEC("\"subsystem\":\"a b\""),
		EXEC("\"subsystem\":\"a/b\""),
		EXEC("\"subsystem\":\"" "01234567890123456789012345678901"
		    "234567890123456789012345678901234" "\""),
		EXEC("\"subsystem\":\"s\",\"cmd\":\"x\""),
		EXEC("\"subsystem\":\"s\",\"argv\":[\"x\"]"),
		EXEC("\"subsystem\":\"s\",\"login\":true"),
		EXEC("\"subsystem\":\"s\",\"pty\":{\"rows\":1,\"cols\":1}"),
		EXEC("\"cmd\":\"x\",\"shell\":\"true\""),
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(exec_code(bad[i], NULL), ERR_BAD_REQUEST, "%s",
		    bad[i]);
}

Test(validate_exec, optional_members)
{
	struct exec_req r;

	cr_assert_eq(exec_code(EXEC("\"cmd\":\"x\",\"timeout\":0.5,"
	    "\"stdin\":false,\"cwd\":\"/\",\"token\":\"t\",\"user\":\"u\","
	    "\"env\":{\"K\":\"v\"},\"unknown\":[1]"), &r), ERR_NONE);
	cr_assert_float_eq(r.timeout, 0.5, 1e-9);
	cr_assert_not(r.stdin_open);
	cr_assert_str_eq(r.cwd, "/");
	cr_assert_str_eq(r.token, "t");
	cr_assert_str_eq(r.user, "u");
	cr_assert_eq(r.envc, 1);
	cr_assert_str_eq(r.env[0], "K=v");
	cr_assert_null(r.env[1]);
	exec_req_free(&r);
	cr_assert_eq(exec_code(EXEC("\"cmd\":\"x\",\"timeout\":3"), &r),
	    ERR_NONE);
	cr_assert_float_eq(r.timeout, 3.0, 1e-9);
	cr_assert(r.stdin_open);
	cr_assert_null(r.user);
	exec_req_free(&r);
}

/* The spawner reads what msg_exec wrote: "shell" must survive it. */
Test(validate_exec, shell_parsed_and_reencoded)
{
	struct exec_req r;
	json_t *h;

	cr_assert_eq(exec_code(EXEC("\"cmd\":\"x\",\"shell\":true"), &r),
	    ERR_NONE);
	cr_assert(r.shell);
	cr_assert_not_null(h = msg_exec(&r));
	cr_assert(json_is_true(json_object_get(h, "shell")));
	json_decref(h);
	exec_req_free(&r);
	cr_assert_eq(exec_code(EXEC("\"cmd\":\"x\",\"shell\":false"), &r),
	    ERR_NONE);
	cr_assert_not(r.shell);
	cr_assert_not_null(h = msg_exec(&r));
	cr_assert_null(json_object_get(h, "shell"));
	json_decref(h);
	exec_req_free(&r);
}

Test(validate_exec, subsystem_parsed_and_reencoded)
{
	struct exec_req r;
	json_t *h;

	cr_assert_eq(exec_code(EXEC("\"subsystem\":\"sftp\","
	    "\"login\":false"), &r), ERR_NONE);
	cr_assert_str_eq(r.subsystem, "sftp");
	cr_assert_null(r.cmd);
	cr_assert_null(r.argv);
	cr_assert_not_null(h = msg_exec(&r));
	cr_assert_str_eq(json_string_value(json_object_get(h, "subsystem")),
	    "sftp");
	cr_assert_null(json_object_get(h, "argv"));
	json_decref(h);
	exec_req_free(&r);
	/* 64 characters: the longest name. */
	cr_assert_eq(exec_code(EXEC("\"subsystem\":\""
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "\""), NULL), ERR_NONE);
}

Test(validate_exec, argv_and_env_counts)
{
	char *hdr = malloc(200000);
	size_t off;

	off = (size_t)sprintf(hdr, "{\"type\":\"exec\",\"version\":1,\"argv\":[");
	for (int i = 0; i < EXEC_ARGV_MAX; i++)
		off += (size_t)sprintf(hdr + off, "%s\"a\"", i ? "," : "");
	strcpy(hdr + off, "]}");
	cr_assert_eq(exec_code(hdr, NULL), ERR_NONE);
	strcpy(hdr + off, ",\"a\"]}");
	cr_assert_eq(exec_code(hdr, NULL), ERR_BAD_REQUEST);

	off = (size_t)sprintf(hdr, EXEC("\"cmd\":\"x\",\"env\":{"));
	off -= 1;	/* drop the closing brace of EXEC */
	for (int i = 0; i < EXEC_ENV_MAX; i++)
		off += (size_t)sprintf(hdr + off, "%s\"V%d\":\"\"", i ? "," : "",
		    i);
	strcpy(hdr + off, "}}");
	cr_assert_eq(exec_code(hdr, NULL), ERR_NONE);
	strcpy(hdr + off, ",\"EXTRA\":\"\"}}");
	cr_assert_eq(exec_code(hdr, NULL), ERR_BAD_REQUEST);
	/* What rexecd adds itself does not count: the spawner re-parses. */
	strcpy(hdr + off, ",\"REXEC_CONNECTION\":\"\",\"SSH_CLIENT\":\"\","
	    "\"SSH_CONNECTION\":\"\"}}");
	cr_assert_eq(exec_code(hdr, NULL), ERR_NONE);
	free(hdr);
}

Test(validate_exec, wrong_frame_type)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct exec_req r;
	struct proto_error e;

	bytes_frame(&b, "{\"type\":\"stdin\",\"len\":1}", "x", 1);
	decode_one_frame(&b, &d, &f);
	cr_assert_eq(msg_parse_exec(&f, &r, &e), -1);
	cr_assert_eq(e.code, ERR_BAD_REQUEST);
	cr_assert(strstr(e.message, "stdin") != NULL);
	decoder_free(&d);
	bytes_free(&b);
}

static int
signal_of(const char *hdr, int *signo)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error e;
	int r;

	bytes_frame(&b, hdr, NULL, 0);
	decode_one_frame(&b, &d, &f);
	r = msg_parse_signal(&f, signo, &e);
	if (r == -1)
		cr_assert_eq(e.code, ERR_BAD_REQUEST);
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
	return r;
}

Test(validate_other, signal_frames)
{
	int s;

	cr_assert_eq(signal_of("{\"type\":\"signal\",\"signal\":\"TERM\"}", &s),
	    0);
	cr_assert_eq(s, SIGTERM);
	cr_assert_eq(signal_of("{\"type\":\"signal\",\"signal\":\"USR2\"}", &s),
	    0);
	cr_assert_eq(s, SIGUSR2);
	cr_assert_eq(signal_of("{\"type\":\"signal\",\"signal\":\"SIGINT\"}",
	    &s), -1);
	cr_assert_eq(signal_of("{\"type\":\"signal\",\"signal\":\"SEGV\"}", &s),
	    -1);
	cr_assert_eq(signal_of("{\"type\":\"signal\",\"signal\":2}", &s), -1);
	cr_assert_eq(signal_of("{\"type\":\"signal\"}", &s), -1);
}

static int
exit_of(const char *hdr, struct exit_status *x)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error e;
	int r;

	bytes_frame(&b, hdr, NULL, 0);
	decode_one_frame(&b, &d, &f);
	r = msg_parse_exit(&f, x, &e);
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
	return r;
}

Test(validate_other, exit_frames)
{
	struct exit_status x;

	cr_assert_eq(exit_of("{\"type\":\"exit\",\"code\":255}", &x), 0);
	cr_assert_eq(x.code, 255);
	cr_assert_eq(exit_of("{\"type\":\"exit\",\"code\":256}", &x), -1);
	cr_assert_eq(exit_of("{\"type\":\"exit\",\"code\":-1}", &x), -1);
	cr_assert_eq(exit_of("{\"type\":\"exit\"}", &x), -1);
	cr_assert_eq(exit_of("{\"type\":\"exit\",\"signal\":9,"
	    "\"signame\":\"KILL\"}", &x), 0);
	cr_assert_eq(x.signal, 9);
	cr_assert_not(x.exited);
}

Test(validate_other, error_frame_unknown_code_is_internal)
{
	struct bytes b = { 0 };
	struct decoder d;
	struct frame f;
	struct proto_error got, e;

	bytes_frame(&b, "{\"type\":\"error\",\"code\":\"weird\","
	    "\"message\":\"m\"}", NULL, 0);
	decode_one_frame(&b, &d, &f);
	cr_assert_eq(msg_parse_error(&f, &got, &e), 0);
	cr_assert_eq(got.code, ERR_INTERNAL);
	cr_assert_str_eq(got.message, "m");
	frame_clear(&f);
	decoder_free(&d);
	bytes_free(&b);
}
