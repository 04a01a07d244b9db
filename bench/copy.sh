#!/bin/sh
# SPDX-License-Identifier: ISC
# Fleet copy (issue 20): rexec --copy of one 256 MiB file and of a
# 10,000-file tree to 16 hosts, side by side with pdcp -R ssh and
# clush --copy over a private sshd, and how much of the local data
# rexec read (it must read it once, whatever the number of hosts).
# One rexecd on 0.0.0.0 (allow-list 127.0.0.0/8) answers for every
# 127.1.0.y; ssh's config sends every "host" to 127.0.0.1, so each
# still costs a connection and a handshake.  Every tool writes into the
# same destination (one machine): 16 x 256 MiB is the largest write.
#
#   BENCH_COPY_SIZE   the file (head -c syntax, default 256M)
#   BENCH_COPY_FILES  files in the tree (default 10000)
#   BUILD             build directory holding rexec, rexecd, rexec-copy
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SIZE=${BENCH_COPY_SIZE:-256M}
FILES=${BENCH_COPY_FILES:-10000}
HOSTS=16

. bench/lib.sh
bench_setup copy
cp "$BUILD/rexec" "$BUILD/rexecd" "$BUILD/rexec-copy" "$T/"
REXEC=$T/rexec REXECD=$T/rexecd

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

# timed TAG command...: seconds into $T/TAG.s ("nan" when it failed)
timed() {
	tag=$1; shift
	sync
	t0=$(now)
	if "$@" > "$T/$tag.out" 2> "$T/$tag.err"; then
		calc "$(now) - $t0" 2 > "$T/$tag.s"
	else
		echo nan > "$T/$tag.s"
		echo "bench/copy: $tag failed:" >&2
		head -5 "$T/$tag.err" >&2
	fi
}

# rexec's reads (rchar) for one copy: the shell that reaped it counts them
rexec_reads() {
	sh -c 'before=$(sed -n "s/^rchar: //p" /proc/$$/io)
	    "$@" >/dev/null 2>&1
	    after=$(sed -n "s/^rchar: //p" /proc/$$/io)
	    echo $((after - before))' sh "$@"
}

mkdir -p "$T/src" "$T/dst"
head -c "$SIZE" /dev/urandom > "$T/src/big"
BYTES=$(stat -c %s "$T/src/big")
i=0
while [ $i -lt "$FILES" ]; do
	d=$T/src/tree/d$((i / 100))
	[ $((i % 100)) = 0 ] && mkdir -p "$d"
	head -c 1024 /dev/urandom > "$d/f$i"
	i=$((i + 1))
done

start_rexecd_on 0.0.0.0 "allow = 127.0.0.0/8\nworkers = 16\n\
subsystem = rexec-copy-in exec $T/rexec-copy in\n\
subsystem = rexec-copy-out exec $T/rexec-copy out\n"
start_sshd
export PDSH_SSH_ARGS_APPEND="-F $T/ssh_config"
W="127.1.0.[1-$HOSTS]"
CLUSH="clush -O ssh_options=-F$T/ssh_config -O scp_options=-F$T/ssh_config -f $HOSTS -w $W"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

for what in big tree; do
	timed "rexec_$what" "$REXEC" -p "$RPORT" -w "$W" --copy \
	    "$T/src/$what" --dest "$T/dst"
	rm -rf "$T/dst/$what"
	if command -v pdcp >/dev/null; then
		timed "pdcp_$what" pdcp -R ssh -f $HOSTS -w "$W" -r \
		    "$T/src/$what" "$T/dst/"
		rm -rf "$T/dst/$what"
	else
		echo nan > "$T/pdcp_$what.s"
	fi
	if command -v clush >/dev/null; then
		timed "clush_$what" $CLUSH --copy "$T/src/$what" \
		    --dest "$T/dst"
		rm -rf "$T/dst/$what"
	else
		echo nan > "$T/clush_$what.s"
	fi
done
READ=$(rexec_reads "$REXEC" -p "$RPORT" -w "$W" --copy "$T/src/big" \
    --dest "$T/dst")

ratio() { case "$1$2" in *nan*) echo "-";; *) calc "$2 / $1" 1;; esac; }
printf '\n== fleet copy to %d hosts (load before: %s)\n' $HOSTS "$LOAD0"
printf '%-24s %10s %10s %10s %8s %8s\n' what rexec pdcp clush \
    "x pdcp" "x clush"
for what in big tree; do
	r=$(cat "$T/rexec_$what.s") p=$(cat "$T/pdcp_$what.s")
	c=$(cat "$T/clush_$what.s")
	case $what in
	big) label="$SIZE file";;
	*) label="$FILES-file tree";;
	esac
	printf '%-24s %9ss %9ss %9ss %8s %8s\n' "$label" "$r" "$p" "$c" \
	    "$(ratio "$r" "$p")" "$(ratio "$r" "$c")"
done
printf 'rexec read %s bytes for a %s-byte file to %d hosts (%s x the file)\n' \
    "$READ" "$BYTES" $HOSTS "$(calc "$READ / $BYTES" 2)"
