# SPDX-License-Identifier: ISC
# Sourced by the benchmarks (run.sh, fleet.sh, pty.sh, ansible.sh): a
# scratch directory and the processes to stop with it, waits, a private
# rexecd and a private sshd on free loopback ports.

# bench_setup NAME: T (scratch) and PIDS, both cleaned up on every way out
bench_setup() {
	T=$(mktemp -d "/tmp/rexec-bench-$1.XXXXXX")
	PIDS=
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

bench_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null || true
	done
	[ -z "${BENCH_USER:-}" ] || userdel -f "$BENCH_USER" 2>/dev/null || true
	[ -z "${FS:-}" ] || umount "$FS" 2>/dev/null || true
	rm -rf "$T"
}

# bench_tmpfs SIZE: FS, a tmpfs of SIZE (mount's syntax) in T, mode 755,
# so that copies measure the tools, not a disk; unmounted on the way out
bench_tmpfs() {
	mkdir -p "$T/fs"
	mount -t tmpfs -o "size=$1,mode=755" "bench-$(basename "$T")" "$T/fs"
	FS=$T/fs
}

# bench_account: BENCH_USER, a throw-away account with bash as its shell
# and an empty home in FS (so no start-up file of root's, such as a
# pyenv .bashrc, is timed), for ssh and rexec alike; removed at the end
bench_account() {
	BENCH_USER=rxb$$
	mkdir -p "$FS/home"
	useradd -M -N -d "$FS/home" -s /bin/bash -p '*' "$BENCH_USER"
	chown "$BENCH_USER" "$FS/home"
	chmod 711 "$T"	# sshd reads AuthorizedKeysFile as the account
}

wait_for() {	# what command...: bounded, 10 s
	what=$1; shift
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 100 ] || { echo "bench: $what did not start" >&2
			exit 1; }
		sleep 0.1
	done
}

# start_rexecd_on ADDR CONFIG-TEXT: a private rexecd ($REXECD) on ADDR,
# port 0; sets RPID and RPORT
start_rexecd_on() {
	n=$(echo "$PIDS" | wc -w)
	printf '%b' "$2" > "$T/rexecd.$n.conf"
	"$REXECD" -f "$T/rexecd.$n.conf" -p 0 -l "$1" 2> "$T/rexecd.$n.log" &
	RPID=$!
	PIDS="$PIDS $RPID"
	wait_for rexecd grep -q "listening on $1 port" "$T/rexecd.$n.log"
	RPORT=$(sed -n "s/.*listening on $1 port \([0-9]*\).*/\1/p" \
	    "$T/rexecd.$n.log" | head -1)
}

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_sshd: SSHD_EXTRA, when set, is one more line of sshd_config.
# Sessions get an empty HOME: the login shell then reads no ~/.bashrc
# (root's runs pyenv on this machine, 90 ms), as rexecd's /bin/sh -c
# reads none: what is timed is ssh.  With bench_account, the account's
# own (empty) home serves.
start_sshd() {
	mkdir -p /run/sshd "$T/sshhome"
	ssh-keygen -q -t ed25519 -N '' -f "$T/host_key" </dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$T/id" </dev/null
	SPORT=$(free_port)
	home="SetEnv HOME=$T/sshhome"
	[ -z "${BENCH_USER:-}" ] || home=
	# MaxSessions/MaxStartups: fleets and Ansible open many at once;
	# sftp: Ansible's ssh connection copies files with it.  ssh -F
	# $T/ssh_config reaches it under any name (fleet.sh's 127.1.x.y).
	cat >"$T/sshd_config" <<-CONF
	Port $SPORT
	ListenAddress 127.0.0.1
	HostKey $T/host_key
	AuthorizedKeysFile $T/id.pub
	PidFile $T/sshd.pid
	StrictModes no
	UsePAM no
	PermitRootLogin prohibit-password
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	MaxSessions 1024
	MaxStartups 1024
	Subsystem sftp internal-sftp
	$home
	${SSHD_EXTRA:-}
	CONF
	cat >"$T/ssh_config" <<-CONF
	Host *
	    HostName 127.0.0.1
	    Port $SPORT
	    IdentityFile $T/id
	    StrictHostKeyChecking no
	    UserKnownHostsFile /dev/null
	    BatchMode yes
	    LogLevel ERROR
	CONF
	/usr/sbin/sshd -D -f "$T/sshd_config" -E "$T/sshd.log" &
	SPID=$!
	PIDS="$PIDS $SPID"
	SSH="ssh -i $T/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -p $SPORT"
	i=0
	until timeout 10 $SSH 127.0.0.1 true </dev/null 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 50 ] || ! kill -0 "$SPID" 2>/dev/null; then
			echo "bench: sshd did not start:" >&2
			cat "$T/sshd.log" >&2; exit 1
		fi
		sleep 0.2
	done
}
