#!/bin/sh
# SPDX-License-Identifier: ISC
# Where the time of one "rexec 127.0.0.1 true" goes (issue 15): the client
# and a private rexecd run under strace -f -ttt (one clock for both), and
# the phases are cut at system calls both sides make:
#
#   client start-up   client execve .. its connect()
#   connect+accept    connect() .. the worker's accept returns
#   request+spawn     accept .. the command's execve
#   command           the command's execve .. its exit_group
#   exit report       exit_group .. the worker sends the exit frame
#   client finish     that send .. the client's exit_group
#
# strace slows every system call, so the absolute times are inflated;
# the shares say where to look.  Medians of BENCH_BREAKDOWN_RUNS (30).
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${BENCH_BREAKDOWN_RUNS:-30}
command -v strace >/dev/null 2>&1 || { echo "bench/breakdown: strace missing, skipped"; exit 0; }

T=$(mktemp -d /tmp/rexec-breakdown.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/"

printf 'workers = 2\nmax_spare = 2\nallow_root = yes\n' > "$T/rexecd.conf"
"$T/rexecd" -f "$T/rexecd.conf" -p 0 -l 127.0.0.1 2> "$T/rexecd.log" &
RPID=$!
PIDS="$PIDS $RPID"
i=0
until RPORT=$(sed -n 's/.*listening on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' \
    "$T/rexecd.log") && [ -n "$RPORT" ] && [ "$(pgrep -c -P "$RPID")" -ge 2 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "bench/breakdown: rexecd did not start" >&2; exit 1; }
	sleep 0.1
done
timeout 10 "$T/rexec" -p "$RPORT" 127.0.0.1 true

ATTACH=
for p in $RPID $(pgrep -P "$RPID"); do ATTACH="$ATTACH -p $p"; done
# shellcheck disable=SC2086
strace -f -ttt -qq -o "$T/daemon.trace" $ATTACH &
SPID=$!
PIDS="$SPID $PIDS"
sleep 1		# strace attaches asynchronously; nothing to wait on
r=0
while [ $r -lt "$RUNS" ]; do
	timeout 10 strace -f -ttt -qq -o "$T/client.$r.trace" \
	    "$T/rexec" -p "$RPORT" 127.0.0.1 true
	r=$((r + 1))
done
sleep 0.5	# the last exit frame's line reaches the trace file
kill "$SPID"; wait "$SPID" 2>/dev/null || true
PIDS=$RPID

printf '\n== breakdown of one "rexec 127.0.0.1 true" (strace -f -ttt, %s runs, medians)\n' "$RUNS"
python3 bench/breakdown.py "$T/daemon.trace" "$T"/client.*.trace
