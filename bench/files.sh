#!/bin/sh
# SPDX-License-Identifier: ISC
# Files (issue 20): scp and sftp through rexec-ssh against the same over
# OpenSSH, in one run: a private rexecd (its default sftp subsystem, the
# system's sftp-server) and a private sshd (bench/lib.sh: its own host
# key and authorized_keys, loopback, stopped by pid), one file of
# BENCH_FILES_BIG (1 GiB) each way, and BENCH_FILES_SMALL (10,000) files
# of 1 KiB (scp -r, sftp put -r).  One run each: the ratios are ssh's
# time over rexec's, both from this run.
#
#   BENCH_FILES_BIG    size of the one file (head -c syntax, default 1G)
#   BENCH_FILES_SMALL  number of small files (default 10000)
#   BUILD              build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIG=${BENCH_FILES_BIG:-1G}
SMALL=${BENCH_FILES_SMALL:-10000}

. bench/lib.sh
bench_setup files
mkdir -p "$T/bin"
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/bin/"
ln -s rexec "$T/bin/rexec-ssh"
REXECD=$T/bin/rexecd

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

start_rexecd_on 127.0.0.1 ''
export REXEC_PORT=$RPORT
start_sshd

echo "bench/files: making the data ($BIG, $SMALL small files)" >&2
head -c "$BIG" /dev/urandom > "$T/big"
python3 - "$T/small" "$SMALL" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    sub = os.path.join(d, "d%03d" % (i // 100))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "f%05d" % i), "wb") as f:
        f.write(os.urandom(1024))
PY

RSSH="-S $T/bin/rexec-ssh"
OSSH="-F $T/ssh_config"

# timed KEY command...: seconds into $T/KEY.t; the copy is then checked
timed() {
	key=$1; shift
	rm -rf "$T/out"; mkdir "$T/out"
	sync
	t0=$(now)
	"$@" > "$T/$key.log" 2>&1 || { echo "bench/files: $key failed:" >&2
		cat "$T/$key.log" >&2; exit 1; }
	t1=$(now)
	calc "$t1 - $t0" 3 > "$T/$key.t"
}

# same FILE-OR-DIR COPY: the copy is byte for byte the original
same() {
	if [ -d "$1" ]; then diff -r "$1" "$2" >/dev/null
	else cmp -s "$1" "$2"; fi || { echo "bench/files: $2 differs" >&2
		exit 1; }
}

for via in rexec ssh; do
	if [ $via = rexec ]; then o=$RSSH; else o=$OSSH; fi
	timed scp-up-$via scp -q $o "$T/big" "127.0.0.1:$T/out/big"
	same "$T/big" "$T/out/big"
	timed scp-down-$via scp -q $o "127.0.0.1:$T/big" "$T/out/big"
	same "$T/big" "$T/out/big"
	printf 'put %s %s/out/big\n' "$T/big" "$T" > "$T/batch"
	timed sftp-up-$via sftp -q $o -b "$T/batch" 127.0.0.1
	same "$T/big" "$T/out/big"
	timed scp-small-$via scp -q -r $o "$T/small" "127.0.0.1:$T/out/"
	same "$T/small" "$T/out/small"
	printf 'put -r %s %s/out/small\n' "$T/small" "$T" > "$T/batch"
	timed sftp-small-$via sftp -q $o -b "$T/batch" 127.0.0.1
	same "$T/small" "$T/out/small"
done
rm -rf "$T/out"

row() {	# label key
	r=$(cat "$T/$2-rexec.t") s=$(cat "$T/$2-ssh.t")
	printf '| %s | %s s | %s s | %s× |\n' "$1" "$r" "$s" \
	    "$(calc "$s / $r" 2)"
}
echo
echo "Files, $(date -u '+%Y-%m-%d %H:%M') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| copy | rexec-ssh | OpenSSH | ssh / rexec |"
echo "|---|---|---|---|"
row "scp, one file of $BIG, up" scp-up
row "scp, one file of $BIG, down" scp-down
row "sftp put, one file of $BIG" sftp-up
row "scp -r, $SMALL files of 1 KiB" scp-small
row "sftp put -r, $SMALL files of 1 KiB" sftp-small
