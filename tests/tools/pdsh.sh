# SPDX-License-Identifier: ISC
# pdsh -R exec runs "rexec host cmd" for each host.
. ./lib.sh
need pdsh
start_daemon "" -l 127.0.0.2
P2=$(port_of 127.0.0.2)
out=$(pdsh -R exec -w 127.0.0.1 rexec -p "$PORT" %h 'echo hi' 2>&1) ||
    fail "pdsh: $out"
[ "$out" = "127.0.0.1: hi" ] || fail "pdsh output: $out"
out=$(pdsh -R exec -w "$(id -un)@127.0.0.2" rexec -l %u -p "$P2" %h \
    'id -un' 2>&1) || fail "pdsh with %u: $out"
[ "$out" = "127.0.0.2: $(id -un)" ] || fail "pdsh %u output: $out"
rc=0
pdsh -S -R exec -w 127.0.0.1 rexec -p "$PORT" %h 'exit 5' \
    >/dev/null 2>&1 || rc=$?
[ $rc -eq 5 ] || fail "pdsh -S exit code $rc, not 5"
