#!/bin/sh
# SPDX-License-Identifier: ISC
# make bench: rexec against the local floor and a private OpenSSH, on
# loopback only (issue 7).  Every ratio comes from the same run, because
# absolute times drift on a shared machine.
#
#   BENCH_QUICK=1   smoke run: 256M streams, 200 commands, fewer repetitions
#   BENCH_SIZE=4G   size of the rexec and local streams (head -c syntax)
#   BENCH_SSH_SIZE  size of the ssh stream (default 1G, at most BENCH_SIZE)
#   BENCH_OUT       where the final table is also written
#                   (default $BUILD/bench-results.txt)
#   BUILD           build directory holding rexec and rexecd (default build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
REXEC=$(pwd)/$BUILD/rexec
REXECD=$(pwd)/$BUILD/rexecd

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SIZE=${BENCH_SIZE:-256M}; NCMD=200
	LAT_RUNS=50; SSH_RUNS=10; STREAM_RUNS=3
else
	SIZE=${BENCH_SIZE:-4G}; NCMD=2000
	LAT_RUNS=300; SSH_RUNS=30; STREAM_RUNS=3
fi
POOL_N=256
BENCH_OUT=${BENCH_OUT:-$BUILD/bench-results.txt}

# --- tools -----------------------------------------------------------------

# Debian packages for what is missing; apt-get update only when needed.
need_pkgs=
need() {	# command package
	command -v "$1" >/dev/null 2>&1 || need_pkgs="$need_pkgs $2"
}
need hyperfine hyperfine
need /usr/sbin/sshd openssh-server
need ssh openssh-client
need ssh-keygen openssh-client
need /usr/bin/time time
need jq jq
need ps procps
need python3 python3
need iperf3 iperf3
need strace strace
if [ -n "$need_pkgs" ]; then
	echo "bench: installing$need_pkgs" >&2
	if [ "$(id -u)" != 0 ]; then
		echo "bench: need root to install$need_pkgs" >&2; exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_pkgs \
	    >/dev/null
fi

# --- bookkeeping -----------------------------------------------------------

. bench/lib.sh
bench_setup main

# Private copies: a rebuild of $BUILD during the run must not mix versions.
for f in "$REXEC" "$REXECD"; do
	[ -x "$f" ] || { echo "bench: $f missing: run make all" >&2; exit 1; }
	cp "$f" "$T/"
done
REXEC=$T/rexec REXECD=$T/rexecd

put() { echo "$1 $2" >>"$T/results"; }
get() {
	awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); v = $0 } END { print v }' \
	    "$T/results"
}
calc() { awk "BEGIN { printf \"%.${2:-3}f\", ($1) }"; }
# bytes in a head -c size such as 4G, 256M, 100K, 1000
bytes() {
	python3 -c 'import sys; s = sys.argv[1]; m = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
print(int(s[:-1]) * m[s[-1]] if s[-1] in m else int(s))' "$1"
}
median() {	# hyperfine JSON, command name -> seconds
	jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"
}
# hyperfine, bounded; its warnings only when it fails
hf() {
	timeout 1800 hyperfine "$@" >/dev/null 2>"$T/hf.log" || {
		echo "bench: hyperfine failed:" >&2; cat "$T/hf.log" >&2; exit 1; }
}
now() { date +%s.%N; }
section() { printf '\n== %s\n' "$*"; }

# --- rexecd ----------------------------------------------------------------

# start_rexecd name: a private rexecd on 127.0.0.1, port 0; sets RPID RPORT
start_rexecd() {
	start_rexecd_on 127.0.0.1 "workers = 8\nmax_workers = 300\nallow_root = yes\n"
	timeout 30 "$REXEC" -p "$RPORT" 127.0.0.1 true || {
		echo "bench: rexec 127.0.0.1 true failed ($1)" >&2; exit 1; }
}

stop_pid() {
	PIDS=$(for p in $PIDS; do [ "$p" = "$1" ] || echo "$p"; done)
	kill "$1" 2>/dev/null || true
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# --- sshd ------------------------------------------------------------------


# --- the benchmarks --------------------------------------------------------

bench_latency() {
	section "1 latency: fresh rexec process and connection each run ($LAT_RUNS runs, fresh ssh $SSH_RUNS)"
	# ssh at its fastest: a warm ControlMaster, so each run is one
	# session on a connection already set up (no key exchange)
	$SSH -o ControlMaster=yes -o ControlPath="$T/cm" -o ControlPersist=600 \
	    -N -f 127.0.0.1
	SSH_CM="$SSH -o ControlPath=$T/cm"
	hf -N --style none --warmup 10 --runs "$LAT_RUNS" \
	    --export-json "$T/lat.json" \
	    -n sh "sh -c true" \
	    -n rexec "$REXEC -p $RPORT 127.0.0.1 true" \
	    -n ssh_cm "$SSH_CM 127.0.0.1 true"
	hf -N --style none --warmup 3 --runs "$SSH_RUNS" \
	    --export-json "$T/lat-ssh.json" \
	    -n ssh "$SSH 127.0.0.1 true"
	$SSH -o ControlPath="$T/cm" -O exit 127.0.0.1 2>/dev/null || true
	for k in sh rexec ssh_cm; do put "lat_$k" "$(median "$T/lat.json" $k)"; done
	put lat_ssh "$(median "$T/lat-ssh.json" ssh)"
	printf '%-36s %12s %10s\n' command "median ms" "× sh"
	for k in sh rexec ssh_cm ssh; do
		printf '%-36s %12s %10s\n' "$k … true" \
		    "$(calc "$(get lat_$k) * 1000")" \
		    "$(calc "$(get lat_$k) / $(get lat_sh)" 2)"
	done
	echo "ssh (ControlMaster) / rexec: $(calc "$(get lat_ssh_cm) / $(get lat_rexec)" 2)×;" \
	    "fresh ssh / rexec: $(calc "$(get lat_ssh) / $(get lat_rexec)" 1)×"
}

# interleave key runs name command [name command...]: each command once
# per round, so a slow phase of the machine hits all of them alike;
# records <key>_<name>_s, the median wall time
interleave() {
	key=$1 runs=$2; shift 2
	r=0
	while [ $r -lt "$runs" ]; do
		set -- "$@"
		i=1
		while [ $i -lt $# ]; do
			eval "name=\${$i} cmd=\${$((i + 1))}"
			t0=$(now)
			timeout 600 sh -c "$cmd" || {
				echo "bench: failed: $cmd" >&2; exit 1; }
			t1=$(now)
			echo "$(calc "$t1 - $t0" 4)" >>"$T/il.$key.$name"
			i=$((i + 2))
		done
		r=$((r + 1))
	done
	i=1
	while [ $i -lt $# ]; do
		eval "name=\${$i}"
		put "${key}_${name}_s" "$(sort -n "$T/il.$key.$name" |
		    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
		i=$((i + 2))
	done
}

gibs() { calc "$2 / $(get "$1") / 1073741824" 2; }	# key bytes

bench_yardsticks() {
	section "0 yardsticks: iperf3 over loopback (one stream, -l 128K, $SIZE) and a local pipe, $STREAM_RUNS interleaved runs"
	IPORT=$(free_port)
	iperf3 -s -B 127.0.0.1 -p "$IPORT" >/dev/null 2>&1 &
	IPID=$!
	PIDS="$PIDS $IPID"
	i=0
	until iperf3 -c 127.0.0.1 -p "$IPORT" -n 1M >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -le 50 ] || { echo "bench: iperf3 -s did not start" >&2; exit 1; }
		sleep 0.1
	done
	interleave ys "$STREAM_RUNS" \
	    iperf3 "iperf3 -c 127.0.0.1 -p $IPORT -l 128K -n $SIZE >/dev/null" \
	    pipe "head -c $SIZE /dev/zero | cat > /dev/null"
	put tcp_gibs "$(gibs ys_iperf3_s "$SIZE_B")"
	put pipe_gibs "$(gibs ys_pipe_s "$SIZE_B")"
	echo "iperf3 $(get tcp_gibs) GiB/s (the limit the streams are measured against)"
	echo "head -c | cat $(get pipe_gibs) GiB/s (for reference only: 2-3× apart from run to run, by whether the two share a core)"
	for p in $(cat "$T/il.ys.pipe"); do printf ' %s' "$p"; done; echo " s (pipe runs)"
}

bench_output() {
	section "2 output: $SIZE (ssh $SSH_SIZE), $STREAM_RUNS interleaved runs, with iperf3 in each round"
	interleave out "$STREAM_RUNS" \
	    iperf3 "iperf3 -c 127.0.0.1 -p $IPORT -l 128K -n $SIZE >/dev/null" \
	    null "$REXEC -p $RPORT 127.0.0.1 'head -c $SIZE /dev/zero' > /dev/null" \
	    pipe "$REXEC -p $RPORT 127.0.0.1 'head -c $SIZE /dev/zero' | cat > /dev/null" \
	    ssh "$SSH 127.0.0.1 'head -c $SSH_SIZE /dev/zero' > /dev/null"
	put out_tcp_gibs "$(gibs out_iperf3_s "$SIZE_B")"
	put out_null_gibs "$(gibs out_null_s "$SIZE_B")"
	put out_pipe_gibs "$(gibs out_pipe_s "$SIZE_B")"
	put out_ssh_gibs "$(gibs out_ssh_s "$SSH_SIZE_B")"
	printf '%-48s %8s %8s\n' command "GiB/s" "/ iperf3"
	for k in tcp null pipe ssh; do
		case $k in
		tcp) n="iperf3 -l 128K -n $SIZE";;
		null) n="rexec 'head -c $SIZE /dev/zero' > /dev/null";;
		pipe) n="rexec 'head -c $SIZE /dev/zero' | cat > /dev/null";;
		ssh) n="ssh 'head -c $SSH_SIZE /dev/zero' > /dev/null";;
		esac
		printf '%-48s %8s %8s\n' "$n" "$(get out_${k}_gibs)" \
		    "$(calc "$(get out_${k}_gibs) / $(get out_tcp_gibs)" 2)"
	done
}

bench_input() {
	section "3 input: $SIZE, $STREAM_RUNS interleaved runs, with iperf3 in each round"
	interleave in "$STREAM_RUNS" \
	    iperf3 "iperf3 -c 127.0.0.1 -p $IPORT -l 128K -n $SIZE >/dev/null" \
	    rexec "head -c $SIZE /dev/zero | $REXEC -p $RPORT 127.0.0.1 'cat > /dev/null'"
	put in_tcp_gibs "$(gibs in_iperf3_s "$SIZE_B")"
	put in_rexec_gibs "$(gibs in_rexec_s "$SIZE_B")"
	printf '%-48s %8s %8s\n' command "GiB/s" "/ iperf3"
	printf '%-48s %8s %8s\n' "iperf3 -l 128K -n $SIZE" "$(get in_tcp_gibs)" 1.00
	printf '%-48s %8s %8s\n' "head -c $SIZE | rexec 'cat > /dev/null'" \
	    "$(get in_rexec_gibs)" "$(calc "$(get in_rexec_gibs) / $(get in_tcp_gibs)" 2)"
}

# many key parallel count command...: run count commands (each prints ok)
# with xargs -P parallel; records <key>_rate and <key>_fail
many() {
	key=$1 par=$2 n=$3; shift 3
	t0=$(now)
	ok=$(seq "$n" | timeout 900 xargs -P "$par" -I{} "$@" 2>"$T/$key.err" |
	    grep -c '^ok$' || true)
	t1=$(now)
	put "${key}_s" "$(calc "$t1 - $t0")"
	put "${key}_rate" "$(calc "$n / ($t1 - $t0)" 1)"
	put "${key}_fail" $((n - ok))
	if [ "$ok" -ne "$n" ]; then
		echo "$key: $((n - ok)) failed; first errors:"
		sort "$T/$key.err" | uniq -c | sort -rn | head -5
	fi
}

bench_concurrency() {
	section "4 concurrency: $NCMD commands (echo ok, to count successes)"
	for par in 32 256; do
		many "conc_local_$par" "$par" "$NCMD" sh -c 'echo ok'
		many "conc_rexec_$par" "$par" "$NCMD" \
		    "$REXEC" -p "$RPORT" 127.0.0.1 'echo ok'
	done
	printf '%-28s %10s %10s %10s %8s\n' command parallel "cmds/s" failures \
	    "× local"
	for par in 32 256; do
		for k in local rexec; do
			printf '%-28s %10s %10s %10s %8s\n' \
			    "$( [ $k = local ] && echo "sh -c 'echo ok'" ||
			    echo "rexec 'echo ok'")" "$par" \
			    "$(get conc_${k}_${par}_rate)" \
			    "$(get conc_${k}_${par}_fail)" \
			    "$(calc "$(get conc_${k}_${par}_rate) / $(get conc_local_${par}_rate)" 2)"
		done
	done
}

bench_pool() {
	section "5 pool scaling: $POOL_N × sleep 1 at once (fresh rexecd, workers 8, max_workers 300)"
	# the local floor: the same processes, without rexec
	t0=$(now)
	ok=$(seq "$POOL_N" | timeout 300 xargs -P "$POOL_N" -I{} \
	    sh -c 'sleep 1; echo ok' | grep -c '^ok$' || true)
	t1=$(now)
	put pool_local_s "$(calc "$t1 - $t0" 2)"
	echo "local sh -c 'sleep 1': wall $(get pool_local_s) s"
	start_rexecd pool
	ppid=$RPID pport=$RPORT
	t0=$(now)
	ok=$(seq "$POOL_N" | timeout 300 xargs -P "$POOL_N" -I{} \
	    "$REXEC" -p "$pport" 127.0.0.1 'sleep 1; echo ok' \
	    2>"$T/pool.err" | grep -c '^ok$' || true)
	t1=$(now)
	put pool_s "$(calc "$t1 - $t0" 2)"
	put pool_fail $((POOL_N - ok))
	echo "rexec 'sleep 1': wall $(get pool_s) s, failures $(get pool_fail)," \
	    "$(ps -o pid= --ppid "$ppid" | wc -l) workers after"
	[ "$ok" -eq "$POOL_N" ] || sort "$T/pool.err" | uniq -c | head -5
	stop_pid "$ppid"
}

# hwm pid: VmHWM in KiB (0 when gone)
hwm() {
	awk '/^VmHWM:/ { print $2; f = 1 } END { if (!f) print 0 }' \
	    "/proc/$1/status" 2>/dev/null || echo 0
}

# mem_run key size direction: peak RSS of master, workers, client
mem_run() {
	key=$1 size=$2 dir=$3
	start_rexecd "mem_$key"
	mpid=$RPID mport=$RPORT
	if [ "$dir" = out ]; then
		/usr/bin/time -v -o "$T/time.$key" "$REXEC" -p "$mport" \
		    127.0.0.1 "head -c $size /dev/zero" >/dev/null &
	else
		head -c "$size" /dev/zero | /usr/bin/time -v -o "$T/time.$key" \
		    "$REXEC" -p "$mport" 127.0.0.1 'cat > /dev/null' &
	fi
	cpid=$!
	m=0 w=0 i=0
	while :; do
		alive=0
		kill -0 "$cpid" 2>/dev/null && alive=1
		v=$(hwm "$mpid"); [ "$v" -gt $m ] && m=$v
		for p in $(ps -o pid= --ppid "$mpid" 2>/dev/null); do
			v=$(hwm "$p"); [ "$v" -gt $w ] && w=$v
		done
		[ $alive = 1 ] || break
		i=$((i + 1))
		[ $i -lt 6000 ] || { echo "bench: memory run too long" >&2; break; }
		sleep 0.1
	done
	wait "$cpid" || echo "bench: client exited $?" >&2
	c=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$T/time.$key")
	put "mem_${key}_master" "$m"
	put "mem_${key}_worker" "$w"
	put "mem_${key}_client" "$c"
	printf '%-26s %10s %10s %10s\n' "$dir $size" "$m" "$w" "$c"
	stop_pid "$mpid"
}

bench_memory() {
	section "6 memory: peak RSS (VmHWM, KiB) during a stream, fresh rexecd each"
	printf '%-26s %10s %10s %10s\n' stream master worker client
	mem_run out_small "$((SIZE_B / 8 / 1048576))M" out
	mem_run out_big "$SIZE" out
	mem_run in_big "$SIZE" in
}

# --- main ------------------------------------------------------------------

SIZE_B=$(bytes "$SIZE")
SSH_SIZE=${BENCH_SSH_SIZE:-1G}
[ "$(bytes "$SSH_SIZE")" -le "$SIZE_B" ] || SSH_SIZE=$SIZE
SSH_SIZE_B=$(bytes "$SSH_SIZE")
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
DATE0=$(date -u '+%Y-%m-%d %H:%M UTC')

start_rexecd main
start_sshd
echo "rexecd pid $RPID port $RPORT; sshd pid $SPID port $SPORT; load $LOAD0"

bench_yardsticks
bench_latency
bench_output
bench_input
bench_concurrency
bench_pool
bench_memory

# --- summary ---------------------------------------------------------------

verdict() { [ "$(calc "$1" 0)" = 1 ] && echo PASS || echo MISS; }
row() { printf '| %-38s | %-32s | %-10s | %-7s |\n' "$1" "$2" "$3" "$4"; }

lat_x_sh=$(calc "$(get lat_rexec) / $(get lat_sh)" 4)
lat_x_cm=$(calc "$(get lat_ssh_cm) / $(get lat_rexec)" 4)
lat_x_ssh=$(calc "$(get lat_ssh) / $(get lat_rexec)" 4)
out_x=$(calc "$(get out_null_gibs) / $(get out_tcp_gibs)" 4)
pipe_x=$(calc "$(get out_pipe_gibs) / $(get out_tcp_gibs)" 4)
in_x=$(calc "$(get in_rexec_gibs) / $(get in_tcp_gibs)" 4)
out_x_ssh=$(calc "$(get out_null_gibs) / $(get out_ssh_gibs)" 4)
conc_x=$(calc "$(get conc_rexec_32_rate) / $(get conc_local_32_rate)" 4)
mmax() { a=0; for k in "$@"; do v=$(get "$k"); [ "$v" -gt $a ] && a=$v; done; echo $a; }
m_master=$(mmax mem_out_big_master mem_in_big_master)
m_worker=$(mmax mem_out_big_worker mem_in_big_worker)
m_client=$(mmax mem_out_big_client mem_in_big_client)
# flat: the big stream's peak within 256 KiB of the stream 8× smaller
flat=1
for r in master worker client; do
	d=$(( $(get mem_out_big_$r) - $(get mem_out_small_$r) ))
	[ $d -le 256 ] || flat=0
done

{
echo
echo "rexec benchmarks, $DATE0 — $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
echo "load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg); streams $SIZE (ssh $SSH_SIZE), $NCMD commands"
echo
row measurement "result" target verdict
row "---" "---" "---" "---"
row "latency rexec / sh -c true" "$(calc "$lat_x_sh" 2)x ($(calc "$(get lat_rexec) * 1000" 2) / $(calc "$(get lat_sh) * 1000" 2) ms)" "<= 1.7x" \
    "$(verdict "$lat_x_sh <= 1.7")"
row "latency ssh ControlMaster / rexec" "$(calc "$lat_x_cm" 2)x (ssh $(calc "$(get lat_ssh_cm) * 1000" 2) ms)" ">= 5x" \
    "$(verdict "$lat_x_cm >= 5")"
row "latency fresh ssh / rexec" "$(calc "$lat_x_ssh" 1)x (ssh $(calc "$(get lat_ssh) * 1000" 1) ms)" "-" "-"
row "output rexec > /dev/null / iperf3" "$(calc "$out_x" 2) ($(get out_null_gibs) / $(get out_tcp_gibs) GiB/s)" ">= 0.65" \
    "$(verdict "$out_x >= 0.65")"
row "output rexec | cat / iperf3" "$(calc "$pipe_x" 2) ($(get out_pipe_gibs) GiB/s)" ">= 0.50" \
    "$(verdict "$pipe_x >= 0.5")"
row "input | rexec / iperf3" "$(calc "$in_x" 2) ($(get in_rexec_gibs) / $(get in_tcp_gibs) GiB/s)" ">= 0.60" \
    "$(verdict "$in_x >= 0.6")"
row "output rexec / ssh" "$(calc "$out_x_ssh" 2)x (ssh $(get out_ssh_gibs) GiB/s)" "-" "-"
row "local pipe (reference only)" "$(get pipe_gibs) GiB/s" "-" "-"
row "2000 x true at 32 parallel / local rate" "$(calc "$conc_x" 2) ($(get conc_rexec_32_rate) / $(get conc_local_32_rate) /s)" ">= 0.60" \
    "$(verdict "$conc_x >= 0.6")"
row "concurrency 32: failures" "$(get conc_rexec_32_fail) of $NCMD" "0" \
    "$(verdict "$(get conc_rexec_32_fail) == 0")"
row "concurrency 256: failures" "$(get conc_rexec_256_fail) of $NCMD ($(get conc_rexec_256_rate) /s)" "0" \
    "$(verdict "$(get conc_rexec_256_fail) == 0")"
row "pool: $POOL_N x sleep 1 wall" "$(get pool_s) s, $(get pool_fail) failed (local $(get pool_local_s) s)" "-" \
    "$(verdict "$(get pool_fail) == 0")"
row "memory master peak RSS" "$m_master KiB" "<= 3400 KiB" "$(verdict "$m_master <= 3400")"
row "memory worker peak RSS" "$m_worker KiB" "<= 3400 KiB" "$(verdict "$m_worker <= 3400")"
row "memory client peak RSS" "$m_client KiB" "<= 3400 KiB" "$(verdict "$m_client <= 3400")"
row "memory flat ($SIZE vs $((SIZE_B / 8 / 1048576))M stream)" "$( [ $flat = 1 ] && echo "within 256 KiB" || echo "grows")" "flat" \
    "$(verdict "$flat == 1")"
} | tee "$BENCH_OUT"

# Where the time of one "rexec true" goes, then the sections of the other
# issues, each a script of its own that runs alone too.
BUILD="$BUILD" sh bench/breakdown.sh | tee -a "$BENCH_OUT"
for b in ${BENCH_SECTIONS:-fleet pty ansible munge files forward}; do
	[ -f "bench/$b.sh" ] || continue
	BUILD="$BUILD" sh "bench/$b.sh" | tee -a "$BENCH_OUT"
done
