#!/bin/sh
# Installs what building and testing pthook needs (Debian/Ubuntu).
set -e
PKGS="build-essential pkg-config clang libvirt-dev libxml2-dev libinih-dev libpci-dev libudev-dev
      pci.ids pciutils libcmocka-dev python3 libxml2-utils valgrind util-linux
      libvirt-clients libvirt-daemon-system qemu-system-x86 busybox-static cpio kmod strace
      libclang-rt-14-dev mandoc debhelper dpkg-dev fakeroot"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
