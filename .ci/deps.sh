#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libjansson-dev \
libbsd-dev libcriterion-dev libsystemd-dev libinih-dev mandoc procps \
iproute2 systemd valgrind rsync git clustershell pdsh ansible-core \
bash-completion debhelper devscripts lintian debootstrap systemd-container \
fakeroot"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
