#!/bin/sh
# SPDX-License-Identifier: ISC
# A/B of two builds, to measure one optimisation: each build's rexecd and
# rexec, side by side in one run, rounds interleaved so that a slow phase
# of the machine hits both alike.
#
#   sh bench/ab.sh DIR_A DIR_B     (each holding rexec and rexecd)
#
#   AB_ROUNDS   interleaved rounds of the streams (default 5)
#   AB_SIZE     stream size, head -c syntax (default 2G)
#   AB_RUNS     hyperfine runs of the latency (default 300)
set -eu

cd "$(dirname "$0")/.."
[ $# = 2 ] || { echo "usage: sh bench/ab.sh DIR_A DIR_B" >&2; exit 2; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
ROUNDS=${AB_ROUNDS:-5} SIZE=${AB_SIZE:-2G} RUNS=${AB_RUNS:-300}

. bench/lib.sh
bench_setup ab
for v in a b; do
	d=$A; [ $v = b ] && d=$B
	REXECD=$d/rexecd
	start_rexecd_on 127.0.0.1 "workers = 4\nallow_root = yes\n"
	eval "PORT_$v=$RPORT"
done

echo "== latency: rexec 127.0.0.1 true, $RUNS runs each (A: $A, B: $B)"
hyperfine -N --style basic --warmup 20 --runs "$RUNS" \
    -n A "$A/rexec -p $PORT_a 127.0.0.1 true" \
    -n B "$B/rexec -p $PORT_b 127.0.0.1 true" 2>&1 |
    grep -E 'Time|±|faster' || true

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
stream() {	# label command-with-REXEC
	: > "$T/a" ; : > "$T/b"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		for v in a b; do
			d=$A p=$PORT_a
			[ $v = b ] && d=$B p=$PORT_b
			cmd=$(echo "$2" | sed "s|REXEC|$d/rexec -p $p 127.0.0.1|")
			t0=$(date +%s.%N)
			timeout 600 sh -c "$cmd"
			t1=$(date +%s.%N)
			awk "BEGIN { print $t1 - $t0 }" >> "$T/$v"
		done
		r=$((r + 1))
	done
	printf '%-40s A %6.3f s  B %6.3f s\n' "$1" "$(median < "$T/a")" \
	    "$(median < "$T/b")"
}
echo "== streams of $SIZE, medians of $ROUNDS interleaved rounds"
stream "output > /dev/null" "REXEC 'head -c $SIZE /dev/zero' > /dev/null"
stream "output | cat" "REXEC 'head -c $SIZE /dev/zero' | cat > /dev/null"
stream "input" "head -c $SIZE /dev/zero | REXEC 'cat > /dev/null'"
