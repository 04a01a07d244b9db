#!/bin/sh
# SPDX-License-Identifier: ISC
# Forwarding (issue 21): iperf3 through `rexec-ssh -N -L` against iperf3
# direct and through `ssh -N -L` (a private sshd, bench/lib.sh: its own
# host key and authorized_keys, loopback, stopped by pid), one stream and
# 8 (-P 8), BENCH_FWD_SECS each; then the set-up time of
# BENCH_FWD_CONNS (1,000) short HTTP GETs, one after the other, to
# python3's http.server, direct, through -L and through ssh -L.  One
# run; the ratios are from this run.  Goals: throughput >= 0.6 of direct
# and >= 3x ssh -L; set-up <= 2x direct.
#
#   BENCH_FWD_SECS   seconds per iperf3 run (default 4)
#   BENCH_FWD_CONNS  short connections (default 1000)
#   BUILD            build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SECS=${BENCH_FWD_SECS:-4}
CONNS=${BENCH_FWD_CONNS:-1000}

for tool in iperf3 /usr/sbin/sshd ssh ssh-keygen python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench/forward: $tool missing (.ci/deps.sh): skipped" >&2
		exit 0; }
done

. bench/lib.sh
bench_setup forward
mkdir -p "$T/bin" "$T/www"
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/bin/"
ln -s rexec "$T/bin/rexec-ssh"
REXECD=$T/bin/rexecd
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
listens() { ss -ltnH "sport = :$1" | grep -q LISTEN; }

start_rexecd_on 127.0.0.1 'allow_root = yes\n'
start_sshd

IPORT=$(free_port)
iperf3 -s -p "$IPORT" -B 127.0.0.1 >"$T/iperf3.log" 2>&1 &
PIDS="$PIDS $!"
HPORT=$(free_port)
echo ok > "$T/www/index.html"
(cd "$T/www" && exec python3 -m http.server -b 127.0.0.1 "$HPORT") \
    >"$T/http.log" 2>&1 &
PIDS="$PIDS $!"
wait_for iperf3 listens "$IPORT"
wait_for http.server listens "$HPORT"

# Each forward: one port to iperf3, one to the HTTP server.
RI=$(free_port); RH=$(free_port); SI=$(free_port); SH=$(free_port)
"$T/bin/rexec-ssh" -p "$RPORT" -N -L "$RI:127.0.0.1:$IPORT" \
    -L "$RH:127.0.0.1:$HPORT" 127.0.0.1 2>"$T/rexec-ssh.err" &
PIDS="$PIDS $!"
$SSH -N -L "$SI:127.0.0.1:$IPORT" -L "$SH:127.0.0.1:$HPORT" 127.0.0.1 \
    2>"$T/ssh.err" </dev/null &
PIDS="$PIDS $!"
for p in $RI $RH $SI $SH; do wait_for "the forward on $p" listens "$p"; done

# gbps PORT STREAMS: iperf3's received rate, Gbit/s
gbps() {
	iperf3 -c 127.0.0.1 -p "$1" -t "$SECS" -P "$2" -J >"$T/iperf.json"
	python3 -c 'import json, sys
print("%.2f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]
    ["bits_per_second"] / 1e9))' "$T/iperf.json"
}

# setup_us PORT: mean microseconds for one HTTP GET on a new connection
setup_us() {
	python3 - "$1" "$CONNS" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
req = b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n"
t0 = time.perf_counter()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(req)
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    s.close()
    if not got.endswith(b"ok\n"):
        sys.exit("bench/forward: bad answer through port %d" % port)
print("%.0f" % ((time.perf_counter() - t0) / n * 1e6))
PY
}

echo "bench/forward: load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$(nproc) CPUs; iperf3 ${SECS}s per run, $CONNS connections"
printf '%-26s %10s %10s %10s %9s %9s\n' "" direct "rexec -L" "ssh -L" \
    "-L/dir" "-L/ssh"
for streams in 1 8; do
	d=$(gbps "$IPORT" "$streams")
	r=$(gbps "$RI" "$streams")
	s=$(gbps "$SI" "$streams")
	printf '%-26s %10s %10s %10s %9s %9s\n' \
	    "iperf3 -P $streams (Gbit/s)" "$d" "$r" "$s" \
	    "$(calc "$r / $d")" "$(calc "$r / $s")"
done
d=$(setup_us "$HPORT")
r=$(setup_us "$RH")
s=$(setup_us "$SH")
printf '%-26s %10s %10s %10s %9s %9s\n' "HTTP GET, new conn (us)" \
    "$d" "$r" "$s" "$(calc "$r / $d")" "$(calc "$r / $s")"
echo "bench/forward: goals: throughput -L/dir >= 0.6, -L/ssh >= 3;" \
    "set-up -L/dir <= 2 (lower is better for set-up)"
