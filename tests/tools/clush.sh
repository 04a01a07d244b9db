# SPDX-License-Identifier: ISC
# ClusterShell with ssh_path = rexec in a private clush.conf: output and
# exit codes come back (-S).
. ./lib.sh
need clush
start_daemon ""
mkdir -p "$T/conf"
cat > "$T/conf/clush.conf" <<CONF
[Main]
fanout: 8
connect_timeout: 10
command_timeout: 0
color: never
ssh_path: rexec
ssh_options: -p $PORT
CONF
export CLUSTERSHELL_CFGDIR="$T/conf"
out=$(clush -N -w 127.0.0.1 'echo hi from $(hostname)') ||
    fail "clush echo"
[ "$out" = "hi from $(hostname)" ] || fail "clush output: $out"
rc=0
clush -S -N -w 127.0.0.1 'exit 7' >/dev/null 2>&1 || rc=$?
[ $rc -eq 7 ] || fail "clush exit code $rc, not 7"
# clush's exec worker runs the command line given, %h the host.
out=$(clush -R exec -N -w 127.0.0.1 rexec %h echo exec worker) ||
    fail "clush -R exec"
[ "$out" = "exec worker" ] || fail "clush -R exec output: $out"
