#!/bin/sh
# SPDX-License-Identifier: ISC
# Memcheck of rexecd (master and workers) for a few hundred requests of
# every kind, and of the rexec client for a few dozen: zero errors and
# zero leaks, or this fails.  Run by `make valgrind`.
set -u
BUILD=${BUILD:-build}
REXECD=$BUILD/rexecd
REXEC=$BUILD/rexec-dynamic	# memcheck cannot follow a static malloc
REQUESTS=${VALGRIND_REQUESTS:-300}
CLIENT_RUNS=${VALGRIND_CLIENT_RUNS:-30}
VG="valgrind --quiet --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect,possible --track-fds=no"

dir=$(mktemp -d /tmp/rexec-valgrind.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "valgrind: $*" >&2; exit 1; }

printf 'request_timeout = 5\nkill_grace = 1\n' > "$dir/conf"
$VG --log-file="$dir/vg-daemon.%p" "$REXECD" -f "$dir/conf" -p 0 \
    -l 127.0.0.1 -w 2 2>"$dir/log" &
pid=$!
i=0
until port=$(sed -n 's/.*listening on 127.0.0.1 port \([0-9]*\).*/\1/p' \
    "$dir/log" | head -1) && [ -n "$port" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "rexecd did not start"
	sleep 0.1
done

passed=0 failed=0
check() {	# check NAME WANT_STATUS GOT_STATUS
	if [ "$2" = "$3" ]; then passed=$((passed + 1))
	else failed=$((failed + 1)); echo "FAIL: $1: status $3, want $2" >&2; fi
}

# The daemon under valgrind: every kind of request, plain client.
n=0
while [ $n -lt "$REQUESTS" ]; do
	case $((n % 9)) in
	0) "$REXEC" -p "$port" 127.0.0.1 'echo out; echo err >&2; exit 3' \
	    >/dev/null 2>&1; check ok 3 $? ;;
	1) head -c 300000 /dev/urandom | "$REXEC" -p "$port" 127.0.0.1 \
	    'wc -c' >/dev/null; check stdin 0 $? ;;
	2) "$REXEC" -p "$port" -A 127.0.0.1 /nonexistent 2>/dev/null
	    check spawn 255 $? ;;
	3) "$REXEC" -p "$port" -t 0.1 127.0.0.1 'sleep 5' 2>/dev/null
	    check timeout 143 $? ;;
	4) "$REXEC" -p "$port" 127.0.0.1 'head -c 3000000 /dev/zero' |
	    head -c 10 >/dev/null; check pipe 0 $? ;;
	5) printf '\0\0\0\0' | "$REXEC" -p "$port" 127.0.0.1 'kill -9 $$' \
	    2>/dev/null; check signal 137 $? ;;
	6) echo data | "$REXEC" -P -p "$port" 127.0.0.1 cat >/dev/null
	    check pty 0 $? ;;
	7) echo 'exit 4' | "$REXEC" -p "$port" 127.0.0.1 >/dev/null 2>&1
	    check login 4 $? ;;
	8) "$REXEC" -P -p "$port" 127.0.0.1 'sleep 5 & exit 5' >/dev/null
	    check pty-job 5 $? ;;
	esac
	n=$((n + 1))
done

# The client under valgrind.
n=0
while [ $n -lt "$CLIENT_RUNS" ]; do
	case $((n % 5)) in
	0) head -c 200000 /dev/zero | $VG "$REXEC" -p "$port" 127.0.0.1 \
	    'cat; echo e >&2' >/dev/null 2>"$dir/client.err"; st=$? ;;
	1) $VG "$REXEC" -p "$port" -A 127.0.0.1 /nonexistent \
	    2>"$dir/client.err"; st=$? ;;
	2) $VG "$REXEC" -p 1 127.0.0.1 true 2>"$dir/client.err"; st=$? ;;
	3) # on a terminal, which script(1) makes: raw mode and back
	   script -qec "$VG --log-file=$dir/vg-pty $REXEC -P -p $port \
	    127.0.0.1 'stty size; exit 3'" /dev/null </dev/null >/dev/null \
	    2>&1; st=$?
	   [ -s "$dir/vg-pty" ] && { cat "$dir/vg-pty" >&2; st=99; } ;;
	# fleet mode: stdin broadcast beyond the fanout, a host refused
	4) head -c 100000 /dev/zero | $VG "$REXEC" -p "$port" -f 1 -b \
	    -w "127.0.0.1,localhost,127.0.0.1:1" 'wc -c; echo e >&2' \
	    >/dev/null 2>"$dir/client.err"; st=$? ;;
	esac
	[ "$st" = 99 ] && { cat "$dir/client.err" >&2; fail "client errors"; }
	case $n in 0) check client-ok 0 "$st" ;; *) ;; esac
	n=$((n + 1))
done

kill "$pid"; wait "$pid"; st=$?; pid=
check daemon-exit 0 "$st"
# 434 is pidfd_open; ioctl 0x5441 is TIOCGPTPEER, openpty(3)'s way to
# the slave: valgrind knows neither, and only says so.
for f in "$dir"/vg-daemon.*; do
	if grep -v -e "unhandled amd64-linux syscall: 434" \
	    -e "unhandled ioctl 0x5441 with no size" \
	    -e "could cause spurious value errors" -e "You may be able to write" -e "README_MISSING_SYSCALL" -e "Nevertheless we consider" -e "it at http://valgrind.org" "$f" | grep -q .; then
		cat "$f" >&2
		failed=$((failed + 1))
		echo "FAIL: memcheck reported errors or leaks in $f" >&2
	else
		passed=$((passed + 1))
	fi
done
echo "valgrind: $REQUESTS daemon requests, $CLIENT_RUNS client runs," \
    "$(ls "$dir"/vg-daemon.* | wc -l) daemon processes checked"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
