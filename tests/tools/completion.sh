#!/bin/sh
# SPDX-License-Identifier: ISC
# The bash completion of completion/: options of rexec and rexecd, hosts
# from /etc/hosts and ~/.ssh/known_hosts, host lists with brackets.
. ./lib.sh
need bash
[ -r /usr/share/bash-completion/bash_completion ] ||
    skip "bash-completion is not installed (make deps installs it)"
grep -qw localhost /etc/hosts 2>/dev/null || skip "/etc/hosts names no localhost"
mkdir -p "$T/home/.ssh" "$T/cwd"
cat > "$T/home/.ssh/known_hosts" <<'HOSTS'
myhost-a,10.9.8.7 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
[myhost-b]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
@cert-authority myhost-c ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
|1|c2FsdA==|aGFzaA== ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
HOSTS
src=$(cd ../../completion && pwd)
cd "$T/cwd" && HOME="$T/home" bash "$OLDPWD/completion.bash" "$src" ||
    fail "see above"
