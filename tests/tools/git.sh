# SPDX-License-Identifier: ISC
# git clone and push through rexec: GIT_SSH_COMMAND with the variant git
# detects (-G), GIT_SSH_VARIANT=simple, and an ssh://HOST:PORT/ URL.
. ./lib.sh
need git
start_daemon ""
export GIT_CONFIG_NOSYSTEM=1 HOME="$T"
git config --global user.email t@rexec.invalid
git config --global user.name rexec-test
git config --global init.defaultBranch main
git init -q --bare "$T/repo.git"
git init -q "$T/work"
(cd "$T/work" && echo one > f && git add f && git commit -qm one) ||
    fail "local commit"

# git with GIT_SSH_VARIANT set to $variant, or unset when it is empty.
git_v() {
	if [ -n "$variant" ]; then
		GIT_SSH_VARIANT=$variant git "$@"
	else
		(unset GIT_SSH_VARIANT; git "$@")
	fi
}

push_clone() {	# variant url label
	variant=$1
	(cd "$T/work" && echo "$3" >> f && git commit -qam "$3" &&
	    GIT_SSH_COMMAND=rexec git_v push -q "$2" HEAD:main) ||
	    fail "push ($3)"
	rm -rf "$T/clone"
	GIT_SSH_COMMAND=rexec git_v clone -q "$2" "$T/clone" ||
	    fail "clone ($3)"
	cmp -s "$T/work/f" "$T/clone/f" || fail "clone differs ($3)"
}

# No GIT_SSH_VARIANT: git asks rexec -G which kind of ssh it is.
push_clone "" "127.0.0.1:$T/repo.git" auto
variant=
GIT_TRACE=1 GIT_SSH_COMMAND=rexec git_v ls-remote "127.0.0.1:$T/repo.git" \
    2> "$T/trace" > /dev/null || fail "ls-remote"
grep -q 'run_command:.* rexec -G ' "$T/trace" || fail "git did not run rexec -G"
push_clone simple "127.0.0.1:$T/repo.git" simple
# With a port in the URL git passes -p (the ssh variant, from -G).
push_clone "" "ssh://127.0.0.1:$PORT$T/repo.git" url
# git's protocol v2 asks for GIT_PROTOCOL through -o SendEnv.
out=$(GIT_TRACE_PACKET=1 GIT_SSH_COMMAND=rexec git -c protocol.version=2 \
    ls-remote "127.0.0.1:$T/repo.git" 2>&1) || fail "ls-remote: $out"
echo "$out" | grep -q 'version 2' || fail "protocol v2 not used"
