#!/bin/sh
# SPDX-License-Identifier: ISC
# Ansible over three connections, in one run (issue 12): a 16-host,
# 3-task playbook over ssh (pipelining on, ControlPersist as Ansible sets
# it), over local and over the rexec plugin; then a 200-item copy loop to
# one host.  Every "host" is 127.0.0.1, by a private sshd and rexecd.
# Ansible's own Python dominates; the target: rexec at least as fast as
# ssh, and within 10 % of local.
#
#   BENCH_ANSIBLE_RUNS  measured runs of the playbook per connection (3)
#   BENCH_ANSIBLE_FORKS Ansible's forks (default 5, Ansible's own)
#   BUILD               build directory holding rexec and rexecd (build)
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${BENCH_ANSIBLE_RUNS:-3}
HOSTS=16
LOOP=200
for tool in ansible-playbook /usr/sbin/sshd ssh ssh-keygen python3; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "bench/ansible: $tool missing, skipped"; exit 0; }
done

. bench/lib.sh
bench_setup ansible
mkdir "$T/bin"
cp "$BUILD/rexec" "$BUILD/rexecd" "$T/bin/"
PATH="$T/bin:$PATH"
REXECD=$T/bin/rexecd

inventory() {	# connection count
	echo "[all]"
	i=1
	while [ $i -le "$2" ]; do echo "h$i"; i=$((i + 1)); done
	echo "[all:vars]"
	echo "ansible_host=127.0.0.1"
	echo "ansible_python_interpreter=/usr/bin/python3"
	echo "ansible_connection=$1"
	echo "dir=$T/remote"
	case $1 in
	ssh) echo "ansible_port=$SPORT"
	     echo "ansible_user=$(id -un)"
	     echo "ansible_ssh_private_key_file=$T/id"
	     echo "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'" ;;
	rexec) echo "ansible_port=$RPORT" ;;
	esac
}

cat > "$T/play.yml" <<'YML'
- hosts: all
  gather_facts: false
  tasks:
    - command: uname -r
    - shell: mkdir -p {{ dir }}/{{ inventory_hostname }} && echo ok
    - copy:
        content: "{{ inventory_hostname }}\n"
        dest: "{{ dir }}/{{ inventory_hostname }}/name"
YML
cat > "$T/loop.yml" <<YML
- hosts: all
  gather_facts: false
  tasks:
    - file: { path: "{{ dir }}/loop", state: directory }
    - copy:
        content: "{{ item }}\n"
        dest: "{{ dir }}/loop/f{{ item }}"
      loop: "{{ range($LOOP) | list }}"
YML

export ANSIBLE_CONNECTION_PLUGINS="$(pwd)/contrib/ansible/connection_plugins"
export ANSIBLE_HOME="$T/ansible-home" ANSIBLE_LOCAL_TEMP="$T/tmp-local"
export ANSIBLE_REMOTE_TEMP="$T/tmp-remote" ANSIBLE_SSH_CONTROL_PATH_DIR="$T/cp"
export ANSIBLE_PIPELINING=1 ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_NOCOLOR=1
export ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_FORKS=${BENCH_ANSIBLE_FORKS:-5}

# play connection playbook hosts: seconds of one ansible-playbook run
play() {
	inventory "$1" "$3" > "$T/hosts-$1"
	t0=$(date +%s.%N)
	ansible-playbook -i "$T/hosts-$1" "$T/$2" > "$T/out" 2>&1 || {
		echo "bench/ansible: $2 over $1 failed:" >&2
		tail -n 20 "$T/out" >&2; exit 1; }
	t1=$(date +%s.%N)
	rm -rf "$T/remote"
	awk "BEGIN { printf \"%.2f\", $t1 - $t0 }"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
	END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start_rexecd_on 127.0.0.1 "workers = 8\nallow_root = yes\n"
start_sshd
echo "== ansible: $HOSTS hosts x 3 tasks, median of $RUNS runs; $LOOP-item copy loop to one host"
echo "load average at start $(cut -d' ' -f1-3 /proc/loadavg), forks $ANSIBLE_FORKS, $(ansible-playbook --version 2>&1 | sed -n 1p)"
# rexec first: on a loaded machine the numbers asked about come soonest.
for c in rexec local ssh; do
	play "$c" play.yml "$HOSTS" > /dev/null	# warm-up: ControlPersist masters, caches
	times=
	n=0
	while [ $n -lt "$RUNS" ]; do
		times="$times $(play "$c" play.yml "$HOSTS")"
		n=$((n + 1))
	done
	eval "play_$c=$(echo "$times" | median)"
	echo "$c: playbook runs:$times s" >&2
	eval "loop_$c=$(play "$c" loop.yml 1)"
	eval "echo \"$c: playbook \$play_$c s (runs:$times), copy loop \$loop_$c s\""
done
awk -v s="$play_ssh" -v l="$play_local" -v r="$play_rexec" \
    -v ls="$loop_ssh" -v ll="$loop_local" -v lr="$loop_rexec" 'BEGIN {
	printf "playbook rexec/ssh %.2f (target <= 1.00), rexec/local %.2f (target <= 1.10)\n", r / s, r / l
	printf "copy loop rexec/ssh %.2f, rexec/local %.2f\n", lr / ls, lr / ll
}'
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
