#!/bin/sh
# SPDX-License-Identifier: ISC
# Fleet copy (issue 20): rexec --copy of one file and of a tree to 16
# and 64 hosts, side by side with pdcp -R ssh, clush --copy and
# parallel-rsync (pssh) over a private sshd; rexec --rcopy against rpdcp
# and clush --rcopy; and how much of the local data rexec read (once,
# whatever the number of hosts).
#
# One rexecd on 0.0.0.0 (allow-list 127.0.0.0/8) answers for every
# 127.1.0.y; ssh's config sends every "host" to 127.0.0.1, so each
# still costs a connection and a handshake.  Every host is its own
# throw-away account (bash, an empty home on a tmpfs the bench mounts):
# each host writes its own copy (DEST is relative: the account's home),
# as on real hosts, into memory, so the tools are timed, not a disk, and
# no start-up file of root's (pyenv) is timed for ssh.  All use the
# same accounts.  To keep a run in memory and minutes, the file is
# BUDGET / HOSTS (256 MiB at 16 hosts, 64 MiB at 64) and the tree
# BUDGET_FILES / HOSTS files (10,000 at 16, 2,500 at 64), 1 KiB each.
#
#   BENCH_COPY_HOSTS         host counts (default "16 64")
#   BENCH_COPY_BUDGET        MiB written per tool and run (default 4096)
#   BENCH_COPY_BUDGET_FILES  files written per tool and run (160000)
#   BUILD                    build directory (rexec, rexecd, rexec-copy)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
COUNTS=${BENCH_COPY_HOSTS:-16 64}
BUDGET=${BENCH_COPY_BUDGET:-4096}
BUDGET_FILES=${BENCH_COPY_BUDGET_FILES:-160000}
MAXH=0
for n in $COUNTS; do [ "$n" -le $MAXH ] || MAXH=$n; done

. bench/lib.sh
bench_setup copy
cp "$BUILD/rexec" "$BUILD/rexecd" "$BUILD/rexec-copy" "$T/"
REXEC=$T/rexec REXECD=$T/rexecd
# the sources, and one tool's copies or the fetched ones
bench_tmpfs "$((BUDGET + 1024))m"
bench_account		# the first host's account; the others below
ACCOUNTS=
mkaccount() {	# NAME HOME: useradd may find the files locked; retry
	i=0
	until useradd -M -N -d "$2" -s /bin/bash -p '*' "$1" 2>/dev/null
	do
		i=$((i + 1))
		[ $i -lt 50 ] || { echo "bench/copy: useradd $1" >&2; exit 1; }
		sleep 0.1
	done
	ACCOUNTS="$ACCOUNTS $1"
	mkdir -p "$2/dst"
	chown -R "$1" "$2"
}
unaccount() {
	bench_cleanup
	for a in $ACCOUNTS; do userdel -f "$a" 2>/dev/null || true; done
}
trap unaccount EXIT
y=1
while [ $y -le $MAXH ]; do
	mkaccount "${BENCH_USER}h$y" "$FS/h$y"
	y=$((y + 1))
done

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }

# timed TAG command...: seconds into $T/TAG.s ("nan" when it failed)
timed() {
	tag=$1; shift
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

# check N WHAT: every host's copy is there and whole, then removed
check() {
	y=1 bad=0
	while [ $y -le "$1" ]; do
		if [ "$2" = big ]; then
			cmp -s "$S/big" "$FS/h$y/dst/big" || bad=$((bad + 1))
		else
			[ "$(find "$FS/h$y/dst/tree" -type f 2>/dev/null |
			    wc -l)" = \
			    "$NFILES" ] || bad=$((bad + 1))
		fi
		rm -rf "$FS/h$y/dst/$2"
		y=$((y + 1))
	done
	echo $bad
}

# rcheck N WHAT PATTERN: the fetched copies there, then removed
rcheck() {
	got=$(ls "$FS/back" | wc -l)
	rm -rf "$FS/back"; mkdir "$FS/back"
	[ "$got" = "$1" ] && echo 0 || echo $(($1 - got))
}

# As many workers waiting as hosts: each real host's rexecd would have
# its own idle ones, where this one daemon serves them all.
start_rexecd_on 0.0.0.0 "allow = 127.0.0.0/8\n\
workers = $MAXH\nmax_workers = $((MAXH + 16))\n\
users = *\n\
subsystem = rexec-copy-in exec $T/rexec-copy in\n\
subsystem = rexec-copy-out exec $T/rexec-copy out\n"
start_sshd
y=1
while [ $y -le $MAXH ]; do
	printf 'Host 127.1.0.%d\n    User %sh%d\n' $y "$BENCH_USER" $y \
	    >> "$T/ssh_config"
	y=$((y + 1))
done
# Every ssh tool finds this ssh first in PATH: the private sshd for all.
mkdir -p "$T/sshbin"
printf '#!/bin/sh\nexec /usr/bin/ssh -F %s "$@"\n' "$T/ssh_config" \
    > "$T/sshbin/ssh"
chmod 755 "$T/sshbin/ssh"
SSHPATH=$T/sshbin:$PATH
# clush's scp runs /usr/bin/ssh, whatever PATH says
CLUSH="clush -O scp_options=-F$T/ssh_config"
S=$FS/src
mkdir -p "$S" "$FS/back"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

printf '| hosts | what | rexec | pdcp -R ssh | clush | prsync | fastest peer / rexec |\n' > "$T/copy.md"
printf '|---|---|---|---|---|---|---|\n' >> "$T/copy.md"
printf '| hosts | what | rexec --rcopy | rpdcp -R ssh | clush --rcopy | fastest peer / rexec |\n' > "$T/rcopy.md"
printf '|---|---|---|---|---|---|\n' >> "$T/rcopy.md"
READS=

# best A B C...: the smallest number, "-" when none
best() {
	printf '%s\n' "$@" | grep -v nan | sort -g | head -1
}
ratio() { case "$1$2" in *nan*|*-*|'') echo "-";; *) calc "$2 / $1" 1;; esac; }

for n in $COUNTS; do
	mib=$((BUDGET / n)) NFILES=$((BUDGET_FILES / n))
	rm -rf "${S:?}"/*
	head -c "${mib}M" /dev/urandom > "$S/big"
	python3 - "$S/tree" "$NFILES" <<-'PY'
	import os, sys
	d, n = sys.argv[1], int(sys.argv[2])
	for i in range(n):
	    sub = os.path.join(d, "d%03d" % (i // 100))
	    os.makedirs(sub, exist_ok=True)
	    with open(os.path.join(sub, "f%05d" % i), "wb") as f:
	        f.write(os.urandom(1024))
	PY
	chmod -R a+rX "$S"
	W="127.1.0.[1-$n]" RW='' y=1
	while [ $y -le "$n" ]; do
		RW="$RW${RW:+,}${BENCH_USER}h$y@127.1.0.$y"
		y=$((y + 1))
	done
	echo "bench/copy: $n hosts, $mib MiB, $NFILES files" >&2
	for what in big tree; do
		timed "r$n$what" "$REXEC" -p "$RPORT" -f "$n" -w "$RW" \
		    --copy "$S/$what" --dest dst
		[ "$(check "$n" $what)" = 0 ] || echo nan > "$T/r$n$what.s"
		timed "p$n$what" env PATH="$SSHPATH" pdcp -R ssh -f "$n" \
		    -w "$RW" -r "$S/$what" dst/
		[ "$(check "$n" $what)" = 0 ] || echo nan > "$T/p$n$what.s"
		timed "c$n$what" env PATH="$SSHPATH" $CLUSH -f "$n" -w "$W" \
		    --copy "$S/$what" --dest dst
		[ "$(check "$n" $what)" = 0 ] || echo nan > "$T/c$n$what.s"
		hosts=$(echo "$RW" | tr , ' ')
		timed "s$n$what" env PATH="$SSHPATH" parallel-rsync -p "$n" \
		    -t 0 -r -H "$hosts" "$S/$what" dst/
		[ "$(check "$n" $what)" = 0 ] || echo nan > "$T/s$n$what.s"
		r=$(cat "$T/r$n$what.s") p=$(cat "$T/p$n$what.s")
		c=$(cat "$T/c$n$what.s") s=$(cat "$T/s$n$what.s")
		case $what in
		big) label="$mib MiB file";;
		*) label="$NFILES-file tree";;
		esac
		printf '| %s | %s | %s s | %s s | %s s | %s s | %s× |\n' \
		    "$n" "$label" "$r" "$p" "$c" "$s" \
		    "$(ratio "$r" "$(best "$p" "$c" "$s")")" >> "$T/copy.md"

		timed "rr$n$what" "$REXEC" -p "$RPORT" -f "$n" -w "$RW" \
		    --rcopy "$S/$what" --dest "$FS/back"
		[ "$(rcheck "$n")" = 0 ] || echo nan > "$T/rr$n$what.s"
		timed "rp$n$what" env PATH="$SSHPATH" rpdcp -R ssh -f "$n" \
		    -w "$RW" -r "$S/$what" "$FS/back"
		[ "$(rcheck "$n")" = 0 ] || echo nan > "$T/rp$n$what.s"
		timed "rc$n$what" env PATH="$SSHPATH" $CLUSH -f "$n" -w "$W" \
		    --rcopy "$S/$what" --dest "$FS/back"
		[ "$(rcheck "$n")" = 0 ] || echo nan > "$T/rc$n$what.s"
		r=$(cat "$T/rr$n$what.s") p=$(cat "$T/rp$n$what.s")
		c=$(cat "$T/rc$n$what.s")
		printf '| %s | %s | %s s | %s s | %s s | %s× |\n' \
		    "$n" "$label" "$r" "$p" "$c" \
		    "$(ratio "$r" "$(best "$p" "$c")")" >> "$T/rcopy.md"
	done
	bytes=$(stat -c %s "$S/big")
	rd=$(rexec_reads "$REXEC" -p "$RPORT" -f "$n" -w "$RW" --copy \
	    "$S/big" --dest dst)
	check "$n" big >/dev/null
	READS="$READS$(printf 'rexec read %s bytes for a %s-byte file to %d hosts (%s x the file)' \
	    "$rd" "$bytes" "$n" "$(calc "$rd / $bytes" 2)")
"
done

printf '\n== fleet copy, %s UTC, load %s before, %s after; tmpfs, one account per host\n\n' \
    "$(date -u '+%Y-%m-%d %H:%M')" "$LOAD0" "$(cut -d' ' -f1-3 /proc/loadavg)"
cat "$T/copy.md"
echo
cat "$T/rcopy.md"
echo
printf '%s' "$READS"
