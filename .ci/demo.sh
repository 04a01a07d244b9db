#!/bin/sh
# SPDX-License-Identifier: ISC
# make demo: start rexecd on loopback with its built-in defaults, on a port
# the kernel picks (-p 0: never one already taken, e.g. by an installed
# rexecd), run a real command through rexec, stop the daemon by its PID.
set -eu
cd "$(dirname "$0")/.."
log=$(mktemp)
build/rexecd -f /dev/null -p 0 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$log"' EXIT
i=0
until port=$(sed -n 's/^master: listening on 127\.0\.0\.1 port \([0-9]*\)$/\1/p' \
    "$log") && [ -n "$port" ]; do
	i=$((i + 1))
	if [ "$i" -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "rexecd did not start:" >&2; cat "$log" >&2; exit 1
	fi
	sleep 0.1
done
echo "\$ rexec -p $port 127.0.0.1 'echo hello from \$(hostname); uname -sr; id -un'"
build/rexec -p "$port" 127.0.0.1 'echo hello from $(hostname); uname -sr; id -un'
echo "(exit status $?)"
