#!/bin/sh
# SPDX-License-Identifier: ISC
# make systemd-test: the two .deb files under a real systemd.
#
# A minimal Debian 12 tree (debootstrap, cached under CACHE between runs)
# boots with systemd-nspawn as PID 1; the tree stays pristine (an overlay
# on tmpfs takes every write), the packages are installed inside the
# running system, and commands run there through nsenter.  The container
# shares the host's network: rexecd gets a loopback port no one on the
# host listens on, from /etc/rexecd.conf and a drop-in of rexecd.socket,
# and rexec reaches it from outside too.
#
# Environment: DEB_DIR (the .deb files), REXEC_BIN (the host's rexec),
# REXEC_MIRROR, REXEC_SYSTEMD_CACHE.  Skips (exit 0, said so) only where
# nspawn cannot run: not root, no debootstrap or systemd-nspawn, no
# mirror reachable for a first tree.
set -eu

SUITE=bookworm
MIRROR=${REXEC_MIRROR:-http://deb.debian.org/debian}
CACHE=${REXEC_SYSTEMD_CACHE:-/var/cache/rexec-systemd-test}
# What the packages need, so dpkg -i works without a network.
# sudo and strace: what commands do to administer, and to attack.
INCLUDE=systemd,systemd-sysv,dbus,procps,libjansson4,libbsd0,libinih1,libsystemd0,libc-ares2,libmunge2,libarchive13,sudo,strace
BOOT_S=60		# the container reaches a running system
WAIT_S=20		# anything else we wait for
STOP_SEC=45		# TimeoutStopSec of rexecd.service
EXPOSURE_MAX=2.6	# with the confined drop-in; the default unit confines nothing

: "${DEB_DIR:?DEB_DIR must name the directory of the .deb files}"
: "${REXEC_BIN:?REXEC_BIN must name the rexec binary}"
T0=$(date +%s)
NSPAWN= CPID= CLIENT= TMP=

say() { echo "systemd-test: $*"; }
skip() { say "SKIP: $*"; exit 0; }
fail() {
	say "FAIL: $*" >&2
	[ -n "$CPID" ] && in_ct journalctl -u rexecd.service -u rexecd.socket \
	    --no-pager -n 40 >&2 2>/dev/null || true
	exit 1
}

# Where nspawn cannot boot (a chroot, an unprivileged container), say so
# now rather than time out waiting for init (issue 19); not root: skipped
# below.
. "$(dirname "$0")/nspawn_check.sh"
if [ "$(id -u)" = 0 ] && ! why=$(nspawn_blocker / /proc /sys/fs/cgroup)
then
	fail "systemd-nspawn cannot boot here: $why"
fi

# Stops the container on every way out: SIGTERM makes nspawn halt it
# (SIGRTMIN+3 to its systemd), SIGKILL if that takes too long.  Its
# mounts live in its own mount namespace: they go with it.
cleanup() {
	[ -n "$CLIENT" ] && kill "$CLIENT" 2>/dev/null || true
	if [ -n "$NSPAWN" ] && kill -0 "$NSPAWN" 2>/dev/null; then
		kill -TERM "$NSPAWN" 2>/dev/null || true
		i=0
		while kill -0 "$NSPAWN" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.2; i=$((i + 1))
		done
		kill -KILL "$NSPAWN" ${CPID:+"$CPID"} 2>/dev/null || true
		wait "$NSPAWN" 2>/dev/null || true
	fi
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Runs a command inside the container, bounded.
in_ct() {
	timeout "$WAIT_S" nsenter -t "$CPID" -m -u -i -n -p -- \
	    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

# Polls (bounded) until the command succeeds.
wait_for() {
	what=$1; shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le $((WAIT_S * 5)) ] || fail "timed out waiting for $what"
		sleep 0.2
	done
}

check_host() {
	[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, systemd-nspawn)"
	for t in debootstrap systemd-nspawn nsenter flock ss; do
		command -v "$t" >/dev/null 2>&1 ||
		    skip "$t is not installed (make deps installs it)"
	done
	for p in rexec rexecd; do
		set -- "$DEB_DIR"/${p}_*.deb
		[ -f "$1" ] || fail "no ${p}_*.deb in $DEB_DIR (make deb)"
	done
}

# The cached tree for these inputs, built when missing; the month is in
# the key, so a tree never gets more than a month stale.
prepare_tree() {
	key=$(printf '%s\n' 1 "$SUITE" "$MIRROR" "$INCLUDE" \
	    "$(dpkg-query -W -f='${Version}' debootstrap)" "$(date +%Y-%m)" |
	    sha256sum | cut -c1-16)
	ROOT=$CACHE/$key/root
	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	timeout 900 flock 9 || fail "cannot lock $CACHE"
	if [ ! -f "$CACHE/$key/ok" ]; then
		say "debootstrap $SUITE into $CACHE/$key (cached for later runs)"
		rm -rf "$CACHE/$key"
		mkdir -p "$CACHE/$key"
		if ! timeout 900 debootstrap --variant=minbase \
		    --include="$INCLUDE" "$SUITE" "$ROOT" "$MIRROR" \
		    >"$CACHE/$key/debootstrap.log" 2>&1; then
			tail -5 "$CACHE/$key/debootstrap.log" >&2
			rm -rf "$CACHE/$key"
			skip "debootstrap from $MIRROR failed (no mirror reachable?)"
		fi
		touch "$CACHE/$key/ok"
		# Trees of other keys are stale.
		for d in "$CACHE"/*/; do
			[ "$d" = "$CACHE/$key/" ] || rm -rf "$d"
		done
	fi
	exec 9>&-
}

# A port no one listens on, on the loopback addresses.
free_port() {
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % 30000 + 20000 ))
		ss -Hltn "( sport = :$p )" | grep -q . || { echo "$p"; return; }
	done
	fail "no free port found"
}

boot() {
	TMP=$(mktemp -d /tmp/rexec-systemd-test.XXXXXX)
	systemd-nspawn --register=no --keep-unit --boot -D "$ROOT" \
	    --volatile=overlay --console=read-only \
	    --bind-ro="$(cd "$DEB_DIR" && pwd)":/debs \
	    >"$TMP/console.log" 2>&1 &
	NSPAWN=$!
	wait_for "the container's init" sh -c "pgrep -P $NSPAWN >/dev/null"
	CPID=$(pgrep -P "$NSPAWN" | head -1)
	i=0
	until state=$(in_ct systemctl is-system-running 2>/dev/null) &&
	    { [ "$state" = running ] || [ "$state" = degraded ]; }; do
		i=$((i + 1))
		if [ $i -gt $((BOOT_S * 5)) ] || ! kill -0 "$NSPAWN" 2>/dev/null
		then
			tail -20 "$TMP/console.log" >&2
			fail "the container did not boot ($state)"
		fi
		sleep 0.2
	done
	say "booted (systemd $state) in $(($(date +%s) - T0)) s"
}

# Before installing: the package starts the service at once, on this port.
configure() {
	PORT=$(free_port)
	in_ct sh -c 'cat > /etc/rexecd.conf' <<-EOF
	port = $PORT
	workers = 2
	shutdown_timeout = 3
	kill_grace = 1
	EOF
	in_ct mkdir -p /etc/systemd/system/rexecd.socket.d
	in_ct sh -c 'cat > /etc/systemd/system/rexecd.socket.d/port.conf' <<-EOF
	[Socket]
	ListenStream=
	ListenStream=127.0.0.1:$PORT
	ListenStream=[::1]:$PORT
	EOF
	say "rexecd on port $PORT"
}

install_debs() {
	in_ct sh -c 'dpkg -i /debs/rexec_*.deb /debs/rexecd_*.deb' \
	    >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2;
	    fail "dpkg -i failed"; }
}

prop() { in_ct systemctl show -p "$1" --value rexecd.service; }
remote() { "$REXEC_BIN" -n -p "$PORT" "$@"; }
status_json() { "$REXEC_BIN" --status --json -p "$PORT" 127.0.0.1; }
json_int() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

# Installed: enabled, started, ready (Type=notify); the master root, the
# workers rexecd without capabilities, the commands rexec.
check_service() {
	[ "$(in_ct systemctl is-enabled rexecd.service)" = enabled ] ||
	    fail "rexecd.service is not enabled after installation"
	wait_for "rexecd.service active" in_ct systemctl is-active -q rexecd
	[ "$(prop Type)" = notify ] || fail "Type is $(prop Type)"
	# STATUS= comes from rexecd's sd_notify, as READY=1 did.
	[ -n "$(prop StatusText)" ] || fail "no STATUS= from rexecd"
	pid=$(prop MainPID)
	user=$(in_ct ps -o user= -p "$pid" | tr -d ' ')
	[ "$user" = root ] || fail "the master runs as '$user', not root"
	workers=$(in_ct pgrep -P "$pid" -f 'rexecd: worker') ||
	    fail "no workers"
	for w in $workers; do
		in_ct grep -q "^Uid:.*[^0-9]$(in_ct id -u rexecd)\$" \
		    /proc/"$w"/status || fail "worker $w is not rexecd"
		in_ct grep -q '^CapEff:.0000000000000000$' /proc/"$w"/status ||
		    fail "worker $w has capabilities"
	done
	say "active, Type=notify, ready ('$(prop StatusText)'), master" \
	    "$user, workers rexecd without capabilities"
}

# Installing the packages again is an upgrade for the maintainer scripts:
# the service is restarted.
check_upgrade() {
	old=$(prop MainPID)
	install_debs
	wait_for "rexecd.service active" in_ct systemctl is-active -q rexecd
	[ "$(prop MainPID)" != "$old" ] || fail "the upgrade did not restart it"
	say "upgrade (dpkg -i again): restarted, pid $old -> $(prop MainPID)"
}

check_commands() {
	out=$(remote 127.0.0.1 id -un) || fail "rexec from the host failed"
	[ "$out" = rexec ] || fail "id -un gave '$out'"
	out=$(in_ct rexec -n -p "$PORT" 127.0.0.1 id -un) ||
	    fail "rexec inside failed"
	[ "$out" = rexec ] || fail "id -un inside gave '$out'"
	say "rexec 127.0.0.1 id -un: $out (from the host and inside)"
	# Fleet copy through the packaged helper, both ways.
	printf 'copied\n' >"$TMP/copyme"
	"$REXEC_BIN" -p "$PORT" -w 127.0.0.1 --copy "$TMP/copyme" --dest . ||
	    fail "--copy failed"
	out=$(remote 127.0.0.1 cat copyme) || fail "no copy on the host"
	[ "$out" = copied ] || fail "the copy holds '$out'"
	"$REXEC_BIN" -p "$PORT" -w 127.0.0.1 --rcopy copyme --dest "$TMP" ||
	    fail "--rcopy failed"
	cmp -s "$TMP/copyme" "$TMP/copyme.127.0.0.1" ||
	    fail "--rcopy brought back another file"
	remote 127.0.0.1 rm copyme || fail "cannot remove the copy"
	say "--copy and --rcopy through the packaged rexec-copy"
}

# A change seen through --status: after the reload, status_allow no
# longer lets 127.0.0.1 ask (::1 still may, and sees generation 2).
check_reload() {
	gen0=$(status_json | json_int generation)
	[ -n "$gen0" ] || fail "no generation in the status"
	in_ct sh -c 'echo "status_allow = ::1, 127.0.0.2" >> /etc/rexecd.conf'
	in_ct systemctl reload rexecd || fail "systemctl reload failed"
	wait_for "--status from 127.0.0.1 to be refused" sh -c \
	    "! $(command -v "$REXEC_BIN") --status -p $PORT 127.0.0.1"
	"$REXEC_BIN" --status -p "$PORT" 127.0.0.1 2>&1 |
	    grep -q 'authentication refused' || fail "not an auth refusal"
	if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		gen=$("$REXEC_BIN" --status --json -p "$PORT" ::1 |
		    json_int generation)
		[ "$gen" = $((gen0 + 1)) ] ||
		    fail "generation $gen after the reload, $gen0 before"
	fi
	in_ct sed -i '/^status_allow/d' /etc/rexecd.conf
	say "systemctl reload: status_allow applied (127.0.0.1 refused," \
	    "generation $gen0 -> $((gen0 + 1)))"
}

check_restart_and_stop() {
	old=$(prop MainPID)
	in_ct systemctl restart rexecd || fail "systemctl restart failed"
	[ "$(prop MainPID)" != "$old" ] || fail "restart kept the same pid"
	in_ct systemctl is-active -q rexecd || fail "not active after restart"
	remote 127.0.0.1 'echo started; exec sleep 300' >"$TMP/sleep.out" &
	CLIENT=$!
	wait_for "the sleep to start" grep -q started "$TMP/sleep.out"
	t=$(date +%s)
	timeout $((STOP_SEC + 10)) nsenter -t "$CPID" -m -u -i -n -p -- \
	    systemctl stop rexecd || fail "systemctl stop failed"
	t=$(($(date +%s) - t))
	[ $t -lt $STOP_SEC ] || fail "stop took $t s"
	[ "$(prop Result)" = success ] || fail "stop result $(prop Result)"
	wait_for "the client to end" sh -c "! kill -0 $CLIENT"
	CLIENT=
	! in_ct pgrep -u rexec -x sleep >/dev/null ||
	    fail "the sleep survived systemctl stop"
	say "restart: new pid; stop: the running sleep ended, in $t s"
}

check_socket() {
	in_ct systemctl disable -q rexecd.service
	in_ct systemctl enable -q --now rexecd.socket ||
	    fail "cannot start rexecd.socket"
	! in_ct systemctl is-active -q rexecd.service ||
	    fail "rexecd.service runs before any connection"
	out=$(remote 127.0.0.1 id -un) || fail "socket activation on 127.0.0.1"
	[ "$out" = rexec ] || fail "id -un gave '$out'"
	in_ct systemctl is-active -q rexecd.service ||
	    fail "rexecd.service did not start"
	if ip -6 addr show dev lo 2>/dev/null | grep -q '::1'; then
		in_ct systemctl stop rexecd.service
		in_ct systemctl is-active -q rexecd.socket ||
		    fail "the socket stopped with the service"
		out=$(remote ::1 id -un) || fail "socket activation on ::1"
		[ "$out" = rexec ] || fail "id -un over ::1 gave '$out'"
		say "socket activation: first connection served on 127.0.0.1 and ::1"
	else
		say "socket activation: served on 127.0.0.1 (no ::1 on this host)"
	fi
}

exposure() {
	line=$(in_ct systemd-analyze security --no-pager rexecd.service |
	    grep 'Overall exposure level') || fail "systemd-analyze security"
	score=$(echo "$line" | grep -o '[0-9][0-9]*\.[0-9]' | head -1)
	[ -n "$score" ] || fail "no score in '$line'"
	echo "$score"
}

# The default unit confines nothing (that would confine the commands);
# the shipped confined drop-in does, and rexecd still serves under it.
check_security() {
	plain=$(exposure)
	in_ct mkdir -p /etc/systemd/system/rexecd.service.d
	in_ct cp /usr/share/doc/rexecd/examples/confined.conf \
	    /etc/systemd/system/rexecd.service.d/ || fail "no confined.conf"
	in_ct systemctl daemon-reload
	score=$(exposure)
	awk -v s="$score" -v m="$EXPOSURE_MAX" 'BEGIN { exit !(s + 0 <= m) }' ||
	    fail "exposure $score above $EXPOSURE_MAX with confined.conf"
	in_ct systemctl restart rexecd || fail "restart under confined.conf"
	out=$(remote 127.0.0.1 'id -un; touch /etc/rexec-x 2>&1 || echo ro') ||
	    fail "rexec under confined.conf failed"
	case $out in
	rexec*ro) ;;
	*) fail "under confined.conf: '$out'" ;;
	esac
	in_ct rm /etc/systemd/system/rexecd.service.d/confined.conf
	in_ct systemctl daemon-reload
	in_ct systemctl restart rexecd || fail "restart without confined.conf"
	say "systemd-analyze security rexecd.service: exposure $plain," \
	    "$score with confined.conf (served, /etc read-only)"
}

# What a remote shell is for: root where allow_root says so, sudo where
# sudoers does; and nothing a command does reaches the daemon.
check_admin() {
	in_ct sh -c 'printf "users = root\nallow_root = yes\n" >> /etc/rexecd.conf'
	in_ct sh -c 'echo "rexec ALL=(root) NOPASSWD: /usr/bin/true" \
	    > /etc/sudoers.d/rexec && chmod 440 /etc/sudoers.d/rexec'
	in_ct systemctl reload rexecd || fail "systemctl reload failed"
	wait_for "users = root to apply" \
	    "$REXEC_BIN" -n -p "$PORT" -l root 127.0.0.1 true
	remote -l root 127.0.0.1 'touch /etc/rexec-x && rm /etc/rexec-x' ||
	    fail "rexec -l root could not write /etc"
	remote 127.0.0.1 'sudo -n true' || fail "sudo -n true failed as rexec"
	say "rexec -l root wrote /etc; sudo -n true as rexec"
}

check_attacks() {
	main=$(prop MainPID)
	pids="$main $(in_ct pgrep -P "$main" -f 'rexecd: worker' | tr '\n' ' ')"
	# Every attempt must fail: each prints "ok" only when refused.
	out=$(remote 127.0.0.1 "for p in $pids; do
		kill -STOP \$p 2>/dev/null || echo ok
		kill -KILL \$p 2>/dev/null || echo ok
		timeout 5 strace -p \$p -o /dev/null 2>/dev/null || echo ok
		cat /proc/\$p/environ >/dev/null 2>&1 || echo ok
	done; kill -9 -1; true") || fail "the attacks did not run"
	n=$(echo "$out" | grep -c '^ok$')
	want=$(($(echo "$pids" | wc -w) * 4))
	[ "$n" = "$want" ] || fail "$n of $want attacks refused: $out"
	[ "$(prop MainPID)" = "$main" ] || fail "the master changed"
	for p in $pids; do
		st=$(in_ct ps -o stat= -p "$p") || fail "rexecd $p is gone"
		case $st in T*) fail "rexecd $p is stopped" ;; esac
	done
	out=$(remote 127.0.0.1 echo still serving) || fail "no longer serving"
	[ "$out" = "still serving" ] || fail "after the attacks: '$out'"
	say "kill -STOP/-KILL, strace and /proc of every rexecd process from" \
	    "a command: all $want refused; kill -9 -1; still serving"
}

check_purge() {
	in_ct env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q \
	    rexec rexecd >"$TMP/purge.log" 2>&1 || { cat "$TMP/purge.log" >&2;
	    fail "apt-get purge failed"; }
	left=$(in_ct sh -c 'ls -d /lib/systemd/system/rexecd.* \
	    /usr/lib/systemd/system/rexecd.* /usr/sbin/rexecd /usr/bin/rexec \
	    /usr/bin/rexec-ssh /usr/lib/rexec/rexec-copy \
	    /etc/systemd/system/*.wants/rexecd.* /usr/lib/sysusers.d/rexecd.conf \
	    2>/dev/null' || true)
	[ -z "$left" ] || fail "left after purge: $left"
	! in_ct pgrep -x rexecd >/dev/null || fail "rexecd still runs"
	! in_ct systemctl is-active -q rexecd.service rexecd.socket ||
	    fail "a unit is still active"
	in_ct getent passwd rexec >/dev/null &&
	    in_ct getent passwd rexecd >/dev/null ||
	    fail "the accounts went with the package"
	! in_ct test -e /var/lib/rexec || fail "its empty home stayed"
	! ss -Hltn "( sport = :$PORT )" | grep -q . || fail "port $PORT still open"
	say "purge: no unit, binary or process left (the account stays)"
}

check_host
prepare_tree
boot
configure
install_debs
check_service
check_upgrade
check_commands
check_security
check_admin
check_attacks
check_reload
check_restart_and_stop
check_socket
check_purge
say "passed in $(($(date +%s) - T0)) s"
