#!/bin/sh
# SPDX-License-Identifier: ISC
# Files (issue 20): scp and sftp through rexec-ssh against the same over
# OpenSSH, in one run: a private rexecd (its default sftp subsystem, the
# system's sftp-server) and a private sshd (bench/lib.sh: its own host
# key and authorized_keys, loopback, stopped by pid), one file of
# BENCH_FILES_BIG (1 GiB) each way, and BENCH_FILES_SMALL (10,000) files
# of 1 KiB (scp -r, sftp put -r).  One run each: the ratios are ssh's
# time over rexec's, both from this run.  Sources and destinations are
# on a tmpfs the bench mounts (the tools are timed, not a disk), and
# both log in as a throw-away account with bash and an empty home (no
# start-up file: root's ~/.bashrc runs pyenv here, 330 ms a session).
# For scale, the same copies with no transport at all: scp -S a script
# that runs sftp-server itself (the floor of any ssh replacement).
#
#   BENCH_FILES_BIG    size of the one file (head -c syntax, default 1G)
#   BENCH_FILES_SMALL  number of small files (default 10000)
#   BENCH_FILES_ROUNDS rounds, the three ways in turn in each; the
#                      median counts (default 3: the machine is shared)
#   BUILD              build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIG=${BENCH_FILES_BIG:-1G}
SMALL=${BENCH_FILES_SMALL:-10000}
ROUNDS=${BENCH_FILES_ROUNDS:-3}

. bench/lib.sh
bench_setup files
mkdir -p "$T/bin"
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/bin/"
ln -s rexec "$T/bin/rexec-ssh"
REXECD=$T/bin/rexecd
SFTP_SERVER=${BENCH_SFTP_SERVER:-/usr/lib/openssh/sftp-server}
printf '#!/bin/sh\nexec %s\n' "$SFTP_SERVER" > "$T/bin/direct"
chmod 755 "$T/bin/direct"
# 1 GiB source, its copy and the copy back, the small files: 3.1 GiB
bench_tmpfs 3500m
bench_account

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

start_rexecd_on 127.0.0.1 "users = $BENCH_USER\n"
export REXEC_PORT=$RPORT
start_sshd
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

echo "bench/files: making the data ($BIG, $SMALL small files)" >&2
S=$FS/src
mkdir -p "$S" "$FS/out"
chown "$BENCH_USER" "$FS/out"
head -c "$BIG" /dev/urandom > "$S/big"
python3 - "$S/small" "$SMALL" <<'PY'
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
DSSH="-S $T/bin/direct"
H=$BENCH_USER@127.0.0.1
O=$FS/out

# timed KEY command...: seconds appended to $T/KEY.t; then checked
timed() {
	key=$1; shift
	rm -rf "${O:?}"/* "$FS/down"; mkdir "$FS/down"
	t0=$(now)
	"$@" > "$T/$key.log" 2>&1 || { echo "bench/files: $key failed:" >&2
		cat "$T/$key.log" >&2; exit 1; }
	t1=$(now)
	calc "$t1 - $t0" 3 >> "$T/$key.t"
	echo >> "$T/$key.t"
}

# same FILE-OR-DIR COPY: the copy is byte for byte the original
same() {
	if [ -d "$1" ]; then diff -r "$1" "$2" >/dev/null
	else cmp -s "$1" "$2"; fi || { echo "bench/files: $2 differs" >&2
		exit 1; }
}

round=0
while [ $round -lt "$ROUNDS" ]; do
round=$((round + 1))
for via in rexec ssh direct; do
	case $via in
	rexec) o=$RSSH;; ssh) o=$OSSH;; direct) o=$DSSH;;
	esac
	timed scp-up-$via scp -q $o "$S/big" "$H:$O/big"
	same "$S/big" "$O/big"
	timed scp-down-$via scp -q $o "$H:$S/big" "$FS/down/big"
	same "$S/big" "$FS/down/big"
	printf 'put %s %s/big\n' "$S/big" "$O" > "$T/batch"
	timed sftp-up-$via sftp -q $o -b "$T/batch" "$H"
	same "$S/big" "$O/big"
	timed scp-small-$via scp -q -r $o "$S/small" "$H:$O/"
	same "$S/small" "$O/small"
	printf 'put -r %s %s/small\n' "$S/small" "$O" > "$T/batch"
	timed sftp-small-$via sftp -q $o -b "$T/batch" "$H"
	same "$S/small" "$O/small"
done
done
rm -rf "${O:?}"/* "$FS/down"
# The round trip a request pays (SFTP waits for it at every open,
# close and mkdir): 64 bytes to cat and back, 2000 times, each way.
RTTN=${BENCH_FILES_RTT:-2000}
rtt_local=$(python3 bench/rtt.py "$RTTN" cat)
rtt_rexec=$(python3 bench/rtt.py "$RTTN" "$T/bin/rexec-ssh" "$H" cat)
rtt_ssh=$(python3 bench/rtt.py "$RTTN" ssh -F "$T/ssh_config" "$H" cat)

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() {	# label key
	r=$(median "$T/$2-rexec.t") s=$(median "$T/$2-ssh.t")
	d=$(median "$T/$2-direct.t")
	printf '| %s | %s s | %s s | %s× | %s s | %s× |\n' "$1" "$r" "$s" \
	    "$(calc "$s / $r" 2)" "$d" "$(calc "$s / $d" 2)"
}
echo
echo "Files, $(date -u '+%Y-%m-%d %H:%M') UTC, load $LOAD0 before," \
    "$(cut -d' ' -f1-3 /proc/loadavg) after; account $BENCH_USER, tmpfs;" \
    "median of $ROUNDS rounds"
echo
echo "| copy | rexec-ssh | OpenSSH | ssh / rexec | no transport | ssh / none |"
echo "|---|---|---|---|---|---|"
row "scp, one file of $BIG, up" scp-up
row "scp, one file of $BIG, down" scp-down
row "sftp put, one file of $BIG" sftp-up
row "scp -r, $SMALL files of 1 KiB" scp-small
row "sftp put -r, $SMALL files of 1 KiB" sftp-small
echo
echo "Round trip of 64 bytes through cat, median of $RTTN: local pipe" \
    "$rtt_local µs, rexec-ssh $rtt_rexec µs, ssh $rtt_ssh µs" \
    "(ssh / rexec $(calc "$rtt_ssh / $rtt_rexec" 2)×)"
