/* SPDX-License-Identifier: ISC */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"
#include "msgfield.h"
#include "signames.h"

static int
expect_type(const struct frame *f, enum frame_type t, struct proto_error *e)
{
	if (f->type != t) {
		proto_error_set(e, ERR_BAD_REQUEST, "expected \"%s\", got \"%s\"",
		    frame_type_name(t), frame_type_name(f->type));
		return -1;
	}
	if (f->hdr == NULL) {
		proto_error_set(e, ERR_BAD_REQUEST, "\"%s\" has no header",
		    frame_type_name(t));
		return -1;
	}
	return 0;
}

static int
parse_version(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	if (msg_check_version(hdr, "exec", e) == -1)
		return -1;
	r->version = PROTOCOL_VERSION;
	return 0;
}

static int
parse_argv(json_t *arr, struct exec_req *r, struct proto_error *e)
{
	size_t i, n = json_array_size(arr);
	json_t *v;

	if (!json_is_array(arr))
		return proto_bad(e, "\"argv\" is not an array");
	if (n == 0)
		return proto_bad(e, "\"argv\" is empty");
	if (n > EXEC_ARGV_MAX)
		return proto_bad(e, "\"argv\" has too many words");
	if ((r->argv = calloc(n + 1, sizeof(char *))) == NULL) {
		proto_error_set(e, ERR_INTERNAL, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return proto_bad(e, "\"argv\" holds a non-string");
		r->argv[i] = (char *)(uintptr_t)json_string_value(v);
	}
	if (r->argv[0][0] == '\0')
		return proto_bad(e, "\"argv[0]\" is empty");
	r->argc = n;
	return 0;
}

/* "login": true picks the login shell; false is as if absent. */
static int
parse_login(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *v = json_object_get(hdr, "login");

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return proto_bad(e, "\"login\" is not a boolean");
	r->login = json_is_true(v);
	return 0;
}

/* "shell": true runs cmd as sshd does, by the account's shell. */
static int
parse_shell(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *v = json_object_get(hdr, "shell");

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return proto_bad(e, "\"shell\" is not a boolean");
	r->shell = json_is_true(v);
	return 0;
}

/* A name: printable, no spaces, no '/' (the configuration's word). */
static int
parse_subsystem(json_t *v, struct exec_req *r, struct proto_error *e)
{
	const char *s;
	size_t len;

	if (!json_is_string(v))
		return proto_bad(e, "\"subsystem\" is not a string");
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0 || len > EXEC_SUBSYSTEM_MAX || strlen(s) != len)
		return proto_bad(e, "\"subsystem\" is empty, too long or "
		    "holds a NUL");
	for (const char *p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '/')
			return proto_bad(e, "\"subsystem\" is not a name");
	r->subsystem = s;
	return 0;
}

static int
parse_command(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *cmd = json_object_get(hdr, "cmd");
	json_t *argv = json_object_get(hdr, "argv");
	json_t *sub = json_object_get(hdr, "subsystem");

	if (parse_login(hdr, r, e) == -1 || parse_shell(hdr, r, e) == -1)
		return -1;
	if ((cmd != NULL) + (argv != NULL) + r->login + (sub != NULL) > 1)
		return proto_bad(e, "\"exec\" has more than one of \"cmd\", "
		    "\"argv\", \"login\" and \"subsystem\"");
	if (r->login)
		return 0;
	if (sub != NULL)
		return parse_subsystem(sub, r, e);
	if (cmd == NULL && argv == NULL)
		return proto_bad(e, "\"exec\" has none of \"cmd\", \"argv\", "
		    "\"login\" and \"subsystem\"");
	if (argv != NULL)
		return parse_argv(argv, r, e);
	if (!json_is_string(cmd))
		return proto_bad(e, "\"cmd\" is not a string");
	r->cmd = json_string_value(cmd);
	if (r->cmd[0] == '\0')
		return proto_bad(e, "\"cmd\" is empty");
	return 0;
}

static int
valid_env_name(const char *name)
{
	return name[0] != '\0' && strchr(name, '=') == NULL;
}

/* The variables rexecd sets itself (files.md) replace a client's and do
 * not count against its limit: the worker adds them to the request it
 * hands the spawner, which parses it again with this same code. */
static size_t
client_env_size(json_t *env)
{
	static const char *const server_set[] = {
		"REXEC_CONNECTION", "SSH_CONNECTION", "SSH_CLIENT",
	};
	size_t n = json_object_size(env);

	for (size_t i = 0; i < sizeof(server_set) / sizeof(server_set[0]); i++)
		if (json_object_get(env, server_set[i]) != NULL)
			n--;
	return n;
}

static int
parse_env(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *env = json_object_get(hdr, "env"), *v;
	const char *name;
	size_t n = 0;

	if (env == NULL)
		return 0;
	if (!json_is_object(env))
		return proto_bad(e, "\"env\" is not an object");
	if (client_env_size(env) > EXEC_ENV_MAX)
		return proto_bad(e, "\"env\" has too many variables");
	r->env = calloc(json_object_size(env) + 1, sizeof(char *));
	if (r->env == NULL) {
		proto_error_set(e, ERR_INTERNAL, "out of memory");
		return -1;
	}
	json_object_foreach(env, name, v) {
		if (!valid_env_name(name))
			return proto_bad(e, "\"env\" has an invalid variable name");
		if (!json_is_string(v))
			return proto_bad(e, "\"env\" holds a non-string value");
		if (asprintf(&r->env[n], "%s=%s", name,
		    json_string_value(v)) == -1) {
			r->env[n] = NULL;
			proto_error_set(e, ERR_INTERNAL, "out of memory");
			return -1;
		}
		r->envc = ++n;
	}
	return 0;
}

static int	get_int(json_t *, const char *, long long, long long,
		    long long *);

/* rows and cols of a pty or winsize object. */
static int
parse_size(json_t *obj, struct winsize_req *w)
{
	long long rows, cols;

	if (get_int(obj, "rows", 1, PTY_DIM_MAX, &rows) == -1 ||
	    get_int(obj, "cols", 1, PTY_DIM_MAX, &cols) == -1)
		return -1;
	w->rows = (unsigned)rows;
	w->cols = (unsigned)cols;
	return 0;
}

/* The terminal type goes into TERM=: printable, no '=' needed. */
static bool
valid_term(const char *t, size_t len)
{
	if (len == 0 || len > PTY_TERM_MAX || strlen(t) != len)
		return false;
	for (; *t != '\0'; t++)
		if (*t <= ' ' || *t == 0x7f)
			return false;
	return true;
}

static int
parse_pty(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *pty = json_object_get(hdr, "pty");
	size_t len = 0;
	int has;

	if (pty == NULL)
		return 0;
	if (!json_is_object(pty))
		return proto_bad(e, "\"pty\" is not an object");
	if (parse_size(pty, &r->pty.size) == -1)
		return proto_bad(e, "\"pty\" needs \"rows\" and \"cols\", "
		    "integers from 1 to 65535");
	has = msg_opt_string(pty, "term", &r->pty.term, &len);
	if (has == -1 || (has == 1 && !valid_term(r->pty.term, len)))
		return proto_bad(e, "\"pty\" has an invalid \"term\"");
	r->pty.on = true;
	return 0;
}

static int
parse_options(json_t *hdr, struct exec_req *r, struct proto_error *e)
{
	json_t *v;

	if (msg_opt_string(hdr, "cwd", &r->cwd, NULL) == -1)
		return proto_bad(e, "\"cwd\" is not a string");
	if (r->cwd != NULL && r->cwd[0] == '\0')
		return proto_bad(e, "\"cwd\" is empty");
	if (msg_parse_ids(hdr, &r->token, &r->token_len, &r->user, &r->munge,
	    e) == -1)
		return -1;
	if ((v = json_object_get(hdr, "timeout")) != NULL) {
		if (!json_is_number(v))
			return proto_bad(e, "\"timeout\" is not a number");
		r->timeout = json_number_value(v);
		if (!(r->timeout > 0) || r->timeout > EXEC_TIMEOUT_MAX)
			return proto_bad(e, "\"timeout\" is not a positive number "
			    "of seconds (at most a year)");
	}
	if ((v = json_object_get(hdr, "stdin")) != NULL) {
		if (!json_is_boolean(v))
			return proto_bad(e, "\"stdin\" is not a boolean");
		r->stdin_open = json_is_true(v);
	}
	return 0;
}

int
msg_parse_ids(json_t *hdr, const char **token, size_t *token_len,
    const char **user, const char **munge, struct proto_error *e)
{
	size_t len = 0;

	if (msg_opt_string(hdr, "token", token, token_len) == -1)
		return proto_bad(e, "\"token\" is not a string");
	if (msg_opt_string(hdr, "user", user, &len) == -1)
		return proto_bad(e, "\"user\" is not a string");
	if (*user != NULL && (len == 0 || strlen(*user) != len))
		return proto_bad(e, "\"user\" is empty or holds a NUL");
	return msg_parse_munge(hdr, munge, e);
}

int
msg_parse_munge(json_t *hdr, const char **munge, struct proto_error *e)
{
	size_t len = 0;

	*munge = NULL;
	if (msg_opt_string(hdr, "munge", munge, &len) == -1)
		return proto_bad(e, "\"munge\" is not a string");
	if (*munge != NULL && (len == 0 || len > EXEC_MUNGE_MAX ||
	    strlen(*munge) != len))
		return proto_bad(e, "\"munge\" is empty, too long or holds "
		    "a NUL");
	return 0;
}

int
msg_parse_exec(const struct frame *f, struct exec_req *r,
    struct proto_error *e)
{
	memset(r, 0, sizeof(*r));
	r->stdin_open = true;
	if (expect_type(f, FRAME_EXEC, e) == -1)
		return -1;
	r->hdr = json_incref(f->hdr);
	if (parse_version(f->hdr, r, e) == -1 ||
	    parse_command(f->hdr, r, e) == -1 ||
	    parse_env(f->hdr, r, e) == -1 ||
	    parse_options(f->hdr, r, e) == -1 ||
	    parse_pty(f->hdr, r, e) == -1 ||
	    (r->subsystem != NULL && r->pty.on &&
	    proto_bad(e, "\"subsystem\" with \"pty\"") == -1)) {
		exec_req_free(r);
		return -1;
	}
	return 0;
}

void
exec_req_free(struct exec_req *r)
{
	for (size_t i = 0; r->env != NULL && i < r->envc; i++)
		free(r->env[i]);
	free(r->env);
	free(r->argv);
	if (r->hdr != NULL)
		json_decref(r->hdr);
	memset(r, 0, sizeof(*r));
}

int
msg_parse_signal(const struct frame *f, int *signo, struct proto_error *e)
{
	const char *name = NULL;

	if (expect_type(f, FRAME_SIGNAL, e) == -1)
		return -1;
	if (msg_opt_string(f->hdr, "signal", &name, NULL) != 1)
		return proto_bad(e, "\"signal\" is missing or not a string");
	*signo = signame_to_number(name);
	if (*signo == -1 || !signame_forwardable(*signo)) {
		proto_error_set(e, ERR_BAD_REQUEST,
		    "signal \"%.40s\" cannot be sent", name);
		return -1;
	}
	return 0;
}

static int
get_int(json_t *hdr, const char *key, long long lo, long long hi,
    long long *out)
{
	json_t *v = json_object_get(hdr, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return *out >= lo && *out <= hi ? 0 : -1;
}

int
msg_parse_started(const struct frame *f, pid_t *pid, struct proto_error *e)
{
	long long v;

	if (expect_type(f, FRAME_STARTED, e) == -1)
		return -1;
	/* 0: a connect request's, which runs no command. */
	if (get_int(f->hdr, "pid", 0, INT32_MAX, &v) == -1)
		return proto_bad(e, "\"started\" has no valid \"pid\"");
	*pid = (pid_t)v;
	return 0;
}

bool
msg_started_pty(const struct frame *f)
{
	return f->hdr != NULL && json_is_true(json_object_get(f->hdr, "pty"));
}

int
msg_parse_winsize(const struct frame *f, struct winsize_req *w,
    struct proto_error *e)
{
	if (expect_type(f, FRAME_WINSIZE, e) == -1)
		return -1;
	if (parse_size(f->hdr, w) == -1)
		return proto_bad(e, "\"winsize\" needs \"rows\" and \"cols\", "
		    "integers from 1 to 65535");
	return 0;
}

int
msg_parse_exit(const struct frame *f, struct exit_status *x,
    struct proto_error *e)
{
	long long v;
	json_t *hdr = f->hdr;

	memset(x, 0, sizeof(*x));
	if (expect_type(f, FRAME_EXIT, e) == -1)
		return -1;
	if (json_object_get(hdr, "code") != NULL) {
		if (get_int(hdr, "code", 0, 255, &v) == -1)
			return proto_bad(e, "\"exit\" has an invalid \"code\"");
		x->exited = true;
		x->code = (int)v;
	} else if (get_int(hdr, "signal", 1, 127, &v) == 0) {
		x->signal = (int)v;
	} else {
		return proto_bad(e, "\"exit\" has neither \"code\" nor \"signal\"");
	}
	x->timed_out = json_is_true(json_object_get(hdr, "timed_out"));
	if (get_int(hdr, "duration_ms", 0, INT64_MAX, &v) == 0)
		x->duration_ms = v;
	return 0;
}

int
msg_parse_error(const struct frame *f, struct proto_error *out,
    struct proto_error *e)
{
	const char *code = NULL, *message = "";

	if (expect_type(f, FRAME_ERROR, e) == -1)
		return -1;
	if (msg_opt_string(f->hdr, "code", &code, NULL) != 1 ||
	    err_code_from_name(code, &out->code) == -1)
		out->code = ERR_INTERNAL;
	if (msg_opt_string(f->hdr, "message", &message, NULL) == -1)
		message = "";
	snprintf(out->message, sizeof(out->message), "%s", message);
	return 0;
}

static json_t *
typed(enum frame_type t)
{
	return json_pack("{ss}", "type", frame_type_name(t));
}

static int
set_strings(json_t *arr, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, json_string(v[i])) == -1)
			return -1;
	return 0;
}

static int
set_env(json_t *obj, char *const *env, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		if (eq == NULL || json_object_setn_new(obj, env[i],
		    (size_t)(eq - env[i]), json_string(eq + 1)) == -1)
			return -1;
	}
	return 0;
}

static int
set_pty(json_t *h, const struct pty_req *p)
{
	json_t *v = json_pack("{sIsI}", "rows", (json_int_t)p->size.rows,
	    "cols", (json_int_t)p->size.cols);

	if (v == NULL || json_object_set_new(h, "pty", v) == -1)
		return -1;
	if (p->term != NULL &&
	    json_object_set_new(v, "term", json_string(p->term)) == -1)
		return -1;
	return 0;
}

static int
exec_members(json_t *h, const struct exec_req *r)
{
	json_t *v;

	if (r->login)
		v = json_true();
	else if (r->subsystem != NULL)
		v = json_string(r->subsystem);
	else if (r->cmd != NULL)
		v = json_string(r->cmd);
	else if ((v = json_array()) != NULL && set_strings(v, r->argv,
	    r->argc) == -1)
		return json_decref(v), -1;
	if (json_object_set_new(h, r->login ? "login" : r->subsystem != NULL ?
	    "subsystem" : r->cmd != NULL ? "cmd" : "argv", v) == -1)
		return -1;
	if (r->envc > 0 && ((v = json_object()) == NULL ||
	    json_object_set_new(h, "env", v) == -1 ||
	    set_env(v, r->env, r->envc) == -1))
		return -1;
	if (r->cwd != NULL &&
	    json_object_set_new(h, "cwd", json_string(r->cwd)) == -1)
		return -1;
	if (r->timeout > 0 &&
	    json_object_set_new(h, "timeout", json_real(r->timeout)) == -1)
		return -1;
	if (!r->stdin_open &&
	    json_object_set_new(h, "stdin", json_false()) == -1)
		return -1;
	if (r->token != NULL && json_object_set_new(h, "token",
	    json_stringn(r->token, r->token_len)) == -1)
		return -1;
	if (r->user != NULL &&
	    json_object_set_new(h, "user", json_string(r->user)) == -1)
		return -1;
	if (r->munge != NULL &&
	    json_object_set_new(h, "munge", json_string(r->munge)) == -1)
		return -1;
	if (r->shell && json_object_set_new(h, "shell", json_true()) == -1)
		return -1;
	return r->pty.on ? set_pty(h, &r->pty) : 0;
}

json_t *
msg_exec(const struct exec_req *r)
{
	json_t *h = typed(FRAME_EXEC);

	if (h == NULL || json_object_set_new(h, "version",
	    json_integer(PROTOCOL_VERSION)) == -1 || exec_members(h, r) == -1) {
		json_decref(h);
		return NULL;
	}
	return h;
}

json_t *
msg_signal(int signo)
{
	const char *name = signame_from_number(signo);

	if (name == NULL)
		return NULL;
	return json_pack("{ssss}", "type", "signal", "signal", name);
}

json_t *
msg_started(pid_t pid, bool pty)
{
	json_t *h = json_pack("{sssI}", "type", "started", "pid",
	    (json_int_t)pid);

	if (h != NULL && pty &&
	    json_object_set_new(h, "pty", json_true()) == -1) {
		json_decref(h);
		return NULL;
	}
	return h;
}

json_t *
msg_winsize(const struct winsize_req *w)
{
	return json_pack("{sssIsI}", "type", "winsize", "rows",
	    (json_int_t)w->rows, "cols", (json_int_t)w->cols);
}

json_t *
msg_exit(const struct exit_status *x)
{
	json_t *h = typed(FRAME_EXIT);
	const char *name;
	int r;

	if (h == NULL)
		return NULL;
	if (x->exited) {
		r = json_object_set_new(h, "code", json_integer(x->code));
	} else {
		name = signame_from_number(x->signal);
		r = json_object_set_new(h, "signal", json_integer(x->signal));
		if (r == 0)
			r = json_object_set_new(h, "signame",
			    json_string(name != NULL ? name : "UNKNOWN"));
	}
	if (r == 0)
		r = json_object_set_new(h, "timed_out",
		    json_boolean(x->timed_out));
	if (r == 0)
		r = json_object_set_new(h, "duration_ms",
		    json_integer(x->duration_ms));
	if (r == -1) {
		json_decref(h);
		return NULL;
	}
	return h;
}

json_t *
msg_error(enum err_code code, const char *message)
{
	return json_pack("{ssssss}", "type", "error", "code",
	    err_code_name(code), "message", message != NULL ? message : "");
}
