#!/bin/sh
# SPDX-License-Identifier: ISC
# The master's CPU while command groups linger: N commands time out
# (SIGTERM), each leaving a process that ignores it, so their groups
# linger kill_grace seconds until SIGKILL while the master watches them
# (issue 19).  Prints the master's utime+stime over the run, in ms.
# Usage: bench/linger.sh [N] [KILL_GRACE]   (REXECD, REXEC: binaries)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-20}
GRACE=${2:-4}
REXECD=${REXECD:-$PWD/build/rexecd}
REXEC=${REXEC:-$PWD/build/rexec}
bench_setup linger
[ "$(id -u)" = 0 ] && ROOT='allow_root = yes\n' || ROOT=
start_rexecd_on 127.0.0.1 "workers = $N\nmax_workers = $((N + 8))\nkill_grace = $GRACE\n$ROOT"
ticks() { awk '{ print $14 + $15 }' "/proc/$RPID/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
start=$(date +%s.%N)
i=0
while [ $i -lt "$N" ]; do
	"$REXEC" -q -n -t 1 -p "$RPORT" 127.0.0.1 \
	    "(trap '' TERM; exec sleep 60) & exec sleep 60" \
	    >/dev/null 2>&1 &
	CLIENTS="${CLIENTS:-} $!"
	i=$((i + 1))
done
# The timeout is 1 s: from then on the groups only linger.
sleep 1.5
mid=$(ticks)
mids=$(date +%s.%N)
wait $CLIENTS || true	# they time out: 143
after=$(ticks)
end=$(date +%s.%N)
awk -v b="$before" -v m="$mid" -v a="$after" -v hz="$hz" -v s="$start" \
    -v ms="$mids" -v e="$end" -v n="$N" 'BEGIN { printf "%d commands: " \
    "master CPU %.0f ms in %.1f s in all, %.0f ms in the %.1f s of " \
    "lingering\n", n, (a - b) * 1000 / hz, e - s, (a - m) * 1000 / hz, e - ms }'
