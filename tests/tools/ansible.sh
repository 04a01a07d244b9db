# SPDX-License-Identifier: ISC
# An Ansible playbook over the rexec connection plugin on three local
# "hosts" (127.0.0.1-3, each its own port) and one that is down: command,
# shell with rc 3, copy of 20 MiB, fetch, template, pipelining on and off,
# and the down host reported UNREACHABLE.  One run: Ansible is slow.
. ./lib.sh
need ansible-playbook
start_daemon "" -l 127.0.0.2 -l 127.0.0.3
here=$(pwd)
head -c $((20 * 1024 * 1024)) /dev/urandom > "$T/big.bin"
{
	echo "[all]"
	for i in 1 2 3; do
		echo "h$i ansible_host=127.0.0.$i ansible_port=$(port_of 127.0.0.$i)"
	done
	# Port 1: nothing listens there, the connection is refused.
	echo "down ansible_host=127.0.0.1 ansible_port=1"
	echo "[all:vars]"
	echo "ansible_connection=rexec"
	echo "ansible_python_interpreter=/usr/bin/python3"
	echo "workdir=$T"
} > "$T/hosts"
export ANSIBLE_CONNECTION_PLUGINS="$here/../../contrib/ansible/connection_plugins"
export ANSIBLE_LOCAL_TEMP="$T/ansible-local" ANSIBLE_REMOTE_TEMP="$T/ansible-remote"
export ANSIBLE_HOME="$T/ansible-home" ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0
export ANSIBLE_HOST_KEY_CHECKING=0 ANSIBLE_PIPELINING=1 ANSIBLE_FORKS=4
export USER_EXPECTED="$(id -un)"
rc=0
ansible-playbook -vvv -i "$T/hosts" "$here/ansible/site.yml" \
    > "$T/play.log" 2>&1 || rc=$?
show() { tail -n 40 "$T/play.log" >&2; fail "$*"; }
# 4: some host was unreachable, and nothing failed.
[ $rc -eq 4 ] || show "ansible-playbook exit $rc, not 4"
grep -q 'fatal: \[down\]: UNREACHABLE!' "$T/play.log" ||
    show "down not UNREACHABLE"
for i in 1 2 3; do
	grep -Eq "^h$i +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0" \
	    "$T/play.log" || show "h$i did not pass every task"
	cmp -s "$T/big.bin" "$T/h$i/big.bin" || fail "copy to h$i differs"
	cmp -s "$T/big.bin" "$T/fetched/h$i$T/h$i/big.bin" ||
	    fail "fetch from h$i differs"
	want="hello from h$i on port $(port_of 127.0.0.$i)"
	[ "$(cat "$T/h$i/greeting.txt")" = "$want" ] || fail "template h$i"
done
# Not pipelined, the module goes over put_file; pipelined, it does not.
n=$(grep -c 'PUT .*AnsiballZ_command.py' "$T/play.log" || true)
[ "$n" -eq 3 ] || show "$n command modules put as files, not 3 (one per host)"
