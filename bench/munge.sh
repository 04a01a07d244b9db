#!/bin/sh
# SPDX-License-Identifier: ISC
# MUNGE identity (issue 22): what -M costs.  One command, rexec -M
# against the token, interleaved; then one command on 512 hosts at
# fanout 64 (every 127.1.x.y answered by one rexecd on 0.0.0.0, as in
# fleet.sh), -M -w against the token's -w; and how long munged takes for
# 512 credentials from one process (libmunge through ctypes).  A private
# munged (its own key and socket in the scratch directory), never the
# system's.  pdsh -R mrsh is not compared: Debian has no mrsh package.
#
#   BENCH_MUNGE_RUNS   commands per single-host line (default 300)
#   BENCH_MUNGE_FLEET  timed fleet runs per line, median kept (default 5)
#   BUILD              build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${BENCH_MUNGE_RUNS:-300}
FRUNS=${BENCH_MUNGE_FLEET:-5}
HOSTS=512
FANOUT=64
MUNGED=/usr/sbin/munged

[ "$(id -u)" = 0 ] || { echo "bench/munge: needs root (munged)" >&2; exit 0; }
[ -x "$MUNGED" ] || { echo "bench/munge: no $MUNGED (munge)" >&2; exit 0; }

. bench/lib.sh
bench_setup munge
chmod 755 "$T"
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/"
REXEC=$T/rexec REXECD=$T/rexecd

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

head -c 1024 /dev/urandom > "$T/munge.key"
chmod 400 "$T/munge.key"
"$MUNGED" --foreground --force --socket="$T/munge.sock" \
    --key-file="$T/munge.key" --pid-file="$T/munged.pid" \
    --log-file="$T/munged.log" --seed-file="$T/munged.seed" 2>/dev/null &
PIDS="$PIDS $!"
wait_for munged test -S "$T/munge.sock"
export REXEC_MUNGE_SOCKET="$T/munge.sock"

printf 'bench-munge-token\n' > "$T/token"
chmod 600 "$T/token"
start_rexecd_on 0.0.0.0 "allow = 127.0.0.0/8\nworkers = 64\nmax_workers = 600\nmunge = yes\nmunge_socket = $T/munge.sock\nusers = *\nallow_root = yes\ntoken_file = $T/token\n"
export REXEC_TOKEN=bench-munge-token
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# one() -M-or-empty: seconds for RUNS commands, one after the other
one() {
	t0=$(now)
	for i in $(seq "$RUNS"); do
		"$REXEC" $1 -p "$RPORT" 127.0.0.1 true || exit 1
	done
	calc "($(now) - $t0) * 1000 / $RUNS" 3
}
: > "$T/tok1"; : > "$T/mun1"
for round in 1 2 3; do
	one "" >> "$T/tok1"; echo >> "$T/tok1"
	one -M >> "$T/mun1"; echo >> "$T/mun1"
done
TOK1=$(median < "$T/tok1") MUN1=$(median < "$T/mun1")

for x in 0 1; do for y in $(seq 0 255); do echo "127.1.$x.$y"; done; done \
    > "$T/hosts"
fleet() {	# -M-or-empty: seconds for one run, 512 lines checked
	t0=$(now)
	got=$("$REXEC" $1 -p "$RPORT" -f $FANOUT -w "^$T/hosts" echo x \
	    2> "$T/fleet.err" | wc -l)
	t1=$(now)
	[ "$got" -eq $HOSTS ] && [ ! -s "$T/fleet.err" ] || {
		echo "bench/munge: fleet $1: $got of $HOSTS lines" >&2
		head -3 "$T/fleet.err" >&2; exit 1; }
	calc "$t1 - $t0" 3
}
: > "$T/tokw"; : > "$T/munw"
for round in $(seq "$FRUNS"); do
	fleet "" >> "$T/tokw"; echo >> "$T/tokw"
	fleet -M >> "$T/munw"; echo >> "$T/munw"
done
TOKW=$(median < "$T/tokw") MUNW=$(median < "$T/munw")

# 512 credentials from one process, as rexec -M -w makes them
ENC=$(python3 - "$T/munge.sock" <<'PY'
import ctypes, sys, time
m = ctypes.CDLL("libmunge.so.2")
m.munge_ctx_create.restype = ctypes.c_void_p
m.munge_ctx_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p]
m.munge_encode.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
    ctypes.c_void_p, ctypes.c_int]
ctx = m.munge_ctx_create()
assert m.munge_ctx_set(ctx, 8, sys.argv[1].encode()) == 0
cred = ctypes.c_void_p()
t = time.monotonic()
for _ in range(512):
    assert m.munge_encode(ctypes.byref(cred), ctx, None, 0) == 0
print("%.1f" % ((time.monotonic() - t) * 1000))
PY
)

pct() { calc "($1 / $2 - 1) * 100" 0; }
verdict() { [ "$(calc "$1" 0)" = 1 ] && echo pass || echo miss; }
{
echo
echo "munge, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $LOAD0 at start, $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo
echo "| measurement | token | -M | cost | target | verdict |"
echo "|---|---|---|---|---|---|"
echo "| \`rexec 127.0.0.1 true\`, ms (median of 3 × $RUNS) | $TOK1 | $MUN1 | +$(pct "$MUN1" "$TOK1") % | ≤ 15 % | $(verdict "$MUN1 <= $TOK1 * 1.15") |"
echo "| \`rexec -w\` $HOSTS hosts, fanout $FANOUT, \`echo x\`, s (median of $FRUNS) | $TOKW | $MUNW | +$(pct "$MUNW" "$TOKW") % | ≤ 25 % | $(verdict "$MUNW <= $TOKW * 1.25") |"
echo
echo "512 munge_encode calls from one process: $ENC ms. pdsh -R mrsh: not measured (no mrsh package in Debian)."
}
