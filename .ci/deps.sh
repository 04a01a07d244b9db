#!/bin/sh
# SPDX-License-Identifier: ISC
# Installs the Debian packages the build and the tests need, when missing.
set -e
PKGS="build-essential pkg-config clang libjansson-dev \
libbsd-dev libc-ares-dev libcriterion-dev libsystemd-dev libinih-dev mandoc procps \
iproute2 systemd valgrind rsync git clustershell pdsh ansible-core \
bash-completion debhelper devscripts lintian debootstrap systemd-container \
fakeroot openssh-client openssh-sftp-server sshfs fuse3 parallel \
libmunge-dev munge libarchive-dev libacl1-dev libzstd-dev liblz4-dev pssh \
iperf3"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
updated=

# Installs those of its arguments that are not installed yet.
install_missing() {
	missing=
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	[ -n "$updated" ] || $SUDO apt-get update -qq
	updated=1
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
	    --no-install-recommends $missing
}

# The major version of the clang installed, e.g. 14 (Debian 12), 19 (13).
clang_major() {
	clang --version | sed -n 's/.*clang version \([0-9][0-9]*\).*/\1/p' |
	    head -1
}

install_missing $PKGS
# make fuzz links clang's sanitizer and libFuzzer runtimes: the ones of
# the clang installed, whichever release this is.
v=$(clang_major)
[ -n "$v" ] || { echo "deps.sh: cannot tell clang's version" >&2; exit 1; }
install_missing "libclang-rt-$v-dev"

# The forwarding tests and benchmarks start a private sshd of their own
# (sshd -f, a loopback port): the package's own service is kept from
# starting and left disabled when this script is what installs it.
install_sshd() {
	dpkg-query -W -f='${Status}' openssh-server 2>/dev/null |
	    grep -q 'ok installed' && return 0
	ours=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 755 /usr/sbin/policy-rc.d
		ours=1
	fi
	install_missing openssh-server || { [ -z "$ours" ] || $SUDO rm -f /usr/sbin/policy-rc.d; exit 1; }
	[ -z "$ours" ] || $SUDO rm -f /usr/sbin/policy-rc.d
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now ssh.service ssh.socket >/dev/null 2>&1 || :
	fi
}
install_sshd
