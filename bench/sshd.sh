# Sourced by the benchmarks: a private sshd on a free loopback port, as the
# peer every ratio is measured against.  Needs T (a scratch directory) and
# PIDS (the processes the caller stops); sets SPORT and SSH (the command
# line that logs in to it, key and all).

free_port() {
	python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_sshd() {
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$T/host_key" </dev/null
	ssh-keygen -q -t ed25519 -N '' -f "$T/id" </dev/null
	SPORT=$(free_port)
	# MaxSessions/MaxStartups: fleets and Ansible open many at once;
	# sftp: Ansible's ssh connection copies files with it.
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
