#!/bin/sh
# SPDX-License-Identifier: ISC
# The interactive round trip (issue 13): one keystroke to its echo by the
# remote terminal, through `rexec -P` and `ssh -tt` to a remote `cat`,
# each client on a local pseudo-terminal in raw mode as at a user's
# (bench/pty_rtt.py), keystrokes alternating between the two so both see
# the same load.  A private rexecd and sshd on 127.0.0.1.  Target:
# rexec's median at most half of ssh's.
#
#   BENCH_PTY_KEYS  keystrokes timed per client (default 1000)
#   BUILD           build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
KEYS=${BENCH_PTY_KEYS:-1000}
for tool in /usr/sbin/sshd ssh ssh-keygen python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench/pty: $tool missing, skipped"; exit 0; }
done

. bench/lib.sh
bench_setup pty
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/"
REXECD=$T/rexecd

start_rexecd_on 127.0.0.1 "workers = 2\nallow_root = yes\n"
start_sshd
# Both clients at once, keystrokes alternating: the same load for both.
timeout 900 python3 bench/pty_rtt.py "$KEYS" \
    rexec "$T/rexec" -P -p "$RPORT" 127.0.0.1 cat -- \
    ssh $SSH -tt 127.0.0.1 cat > "$T/rtt.txt" || {
	echo "bench/pty: the round trip failed" >&2; exit 1; }
r=$(awk '$1 == "rexec" { print $3, $7 }' "$T/rtt.txt")
s=$(awk '$1 == "ssh" { print $3, $7 }' "$T/rtt.txt")
printf '\n== interactive round trip: %s single-byte echoes through a remote cat\n' "$KEYS"
printf '%-28s %12s %10s\n' client "median µs" "p90 µs"
printf '%-28s %12s %10s\n' "rexec -P … cat" ${r}
printf '%-28s %12s %10s\n' "ssh -tt … cat" ${s}
x=$(awk -v a="${r% *}" -v b="${s% *}" 'BEGIN { printf "%.2f", a / b }')
v=$(awk -v x="$x" 'BEGIN { print (x <= 0.5) ? "PASS" : "MISS" }')
echo "rexec / ssh: ${x}× (target <= 0.5×) $v"
