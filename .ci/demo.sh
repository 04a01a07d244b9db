#!/bin/sh
# make demo: start rexecd on loopback with its built-in defaults, run a real
# command through rexec, stop the daemon by its PID.
set -eu
cd "$(dirname "$0")/.."
log=$(mktemp)
build/rexecd -f /dev/null 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
i=0
until grep -q 'listening on 127.0.0.1' "$log"; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "rexecd did not start:" >&2; cat "$log" >&2; exit 1
	fi
	sleep 0.1
done
echo "\$ rexec 127.0.0.1 'echo hello from \$(hostname); uname -sr; id -un'"
build/rexec 127.0.0.1 'echo hello from $(hostname); uname -sr; id -un'
echo "(exit status $?)"
