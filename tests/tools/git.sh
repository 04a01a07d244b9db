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

push_clone() {	# variant url label
	(cd "$T/work" && echo "$3" >> f && git commit -qam "$3" &&
	    GIT_SSH_VARIANT=$1 GIT_SSH_COMMAND=rexec git push -q "$2" \
	    HEAD:main) || fail "push ($3)"
	rm -rf "$T/clone"
	GIT_SSH_VARIANT=$1 GIT_SSH_COMMAND=rexec git clone -q "$2" \
	    "$T/clone" || fail "clone ($3)"
	cmp -s "$T/work/f" "$T/clone/f" || fail "clone differs ($3)"
}

# An empty GIT_SSH_VARIANT: git asks rexec -G which kind of ssh it is.
push_clone "" "127.0.0.1:$T/repo.git" auto
push_clone simple "127.0.0.1:$T/repo.git" simple
# With a port in the URL git passes -p (the ssh variant, from -G).
push_clone "" "ssh://127.0.0.1:$PORT$T/repo.git" url
# git's protocol v2 asks for GIT_PROTOCOL through -o SendEnv.
out=$(GIT_TRACE_PACKET=1 GIT_SSH_COMMAND=rexec git -c protocol.version=2 \
    ls-remote "127.0.0.1:$T/repo.git" 2>&1) || fail "ls-remote: $out"
echo "$out" | grep -q 'version 2' || fail "protocol v2 not used"
