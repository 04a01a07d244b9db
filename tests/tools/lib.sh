# SPDX-License-Identifier: ISC
# Sourced by each tool test: a private rexecd, rexec first in PATH, skip
# and fail helpers.  Every test exits 0 (passed), 77 (skipped) or 1.
set -eu

: "${REXEC_BIN:?REXEC_BIN must name the rexec binary}"
: "${REXECD_BIN:?REXECD_BIN must name the rexecd binary}"
NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/rexec-$NAME.XXXXXX")
DPID=
mkdir "$T/bin"
ln -s "$REXEC_BIN" "$T/bin/rexec"
PATH="$T/bin:$PATH"
export PATH

cleanup() {
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

skip() {
	echo "SKIP $NAME: $*"
	exit 77
}

fail() {
	echo "FAIL $NAME: $*" >&2
	[ -f "$T/rexecd.log" ] && sed 's/^/  rexecd: /' "$T/rexecd.log" >&2
	exit 1
}

need() {
	for tool; do
		command -v "$tool" >/dev/null 2>&1 ||
		    skip "$tool is not installed (make deps installs it)"
	done
}

# start_daemon CONF_TEXT [rexecd options...]: listens on 127.0.0.1 (and
# what the options add) on ephemeral ports; PORT is 127.0.0.1's.
start_daemon() {
	printf '%s\n' "$1" > "$T/rexecd.conf"
	shift
	"$REXECD_BIN" -f "$T/rexecd.conf" -p 0 -l 127.0.0.1 "$@" \
	    2> "$T/rexecd.log" &
	DPID=$!
	i=0
	until PORT=$(port_of 127.0.0.1) && [ -n "$PORT" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "rexecd did not start"
		sleep 0.1
	done
	REXEC_PORT=$PORT
	export REXEC_PORT
}

# The port rexecd listens on at ADDR.
port_of() {
	sed -n "s/.*listening on $1 port \([0-9]*\)\$/\1/p" "$T/rexecd.log" |
	    head -n 1
}

# A tree of files of assorted sizes, one empty, one with odd bytes.
make_tree() {
	mkdir -p "$1/sub/deeper"
	head -c 1000000 /dev/urandom > "$1/big.bin"
	printf 'hello\n' > "$1/sub/a.txt"
	: > "$1/sub/empty"
	printf 'x\000y\377\n' > "$1/sub/deeper/odd name"
	chmod 640 "$1/sub/a.txt"
}

same_tree() {
	diff -r "$1" "$2" >/dev/null || fail "trees differ: $1 $2"
}
