#!/bin/bash
# The Debian package, for real: dpkg-buildpackage -us -uc -b on a copy of
# the tracked tree, dpkg -i on this machine, the installed hook run as
# libvirt runs it, then dpkg --purge -- once on a clean hooks dir, once
# next to a qemu hook of the "user's".  Leaves the machine as it found it.
# Prints "ok - ..." / "not ok - ..." lines like the CLI suites.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
HOOKS=/etc/libvirt/hooks
W=$(mktemp -d /tmp/pthook-pkg.XXXXXX)
trap 'rm -rf "$W"' EXIT
fails=0
check() { local name=$1; shift; if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fails=$((fails + 1)); fi; }

if [ "$(id -u)" != 0 ]; then
	echo "not ok - package: needs root (dpkg -i)"; exit 1
fi
if dpkg -s pthook >/dev/null 2>&1 || [ -e /usr/sbin/pthook ] || [ -e "$HOOKS/qemu" ]; then
	echo "not ok - package: pthook or a qemu hook is installed here; this test would" \
	    "replace it (PTHOOK_NO_PACKAGE=1 skips it)"
	exit 1
fi

build() {
	mkdir -p "$W/src"
	git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$W/src"
	(cd "$W/src" && dpkg-buildpackage -us -uc -b) > "$W/build.log" 2>&1 ||
		{ tail -20 "$W/build.log"; return 1; }
	DEB=$(ls "$W"/pthook_*_*.deb)
}
check "dpkg-buildpackage -us -uc -b builds a .deb" build || exit 1

# the installed hook, run by hand as libvirt would: a configured domain
# with a stale definition is refused, naming the device (which needs
# the core from /usr/lib/pthook and pci.ids)
hook_works() {
	local hook=$1 sys cfg
	sys=$W/sys; rm -rf "$sys"
	"$ROOT/build/tools/fakesys" "$ROOT/tests/hosts/twins.inv" "$sys" || return 1
	cfg=$W/pthook.ini
	printf '[vm "gpu"]\npci = 10de:1b81 subsystem=1043:85f4\n' > "$cfg"; chmod 600 "$cfg"
	echo "<domain><name>gpu</name><devices/></domain>" |
		PTHOOK_CONFIG=$cfg PTHOOK_SYSFS=$sys PTHOOK_STATE_DIR=$W/state \
		"$hook" gpu prepare begin - 2> "$W/err"
	[ $? = 1 ] && grep -q "definition lacks 0000:01:00.0 10de:1b81 NVIDIA" "$W/err" ||
		{ cat "$W/err"; return 1; }
	"$hook" other prepare begin - < /dev/null	# unconfigured: through
}

installed() {
	local hook=$1
	dpkg -i "$DEB" > "$W/dpkg.log" 2>&1 || { cat "$W/dpkg.log"; return 1; }
	[ "$(pthook --version)" = "pthook $(dpkg-parsechangelog -l debian/changelog -S Version)" ] &&
	cmp -s /usr/sbin/pthook "$hook" &&
	[ "$(stat -c %a /etc/pthook/pthook.ini)" = 600 ] &&
	man -w pthook.ini > /dev/null &&
	grep -q "reload" "$W/dpkg.log" &&
	hook_works "$hook" &&
	installed_checks "$hook" || { cat "$W/dpkg.log"; return 1; }
}

# check --install agrees: the hook found where it went, a copy of the
# installed pthook, no problem (warnings, e.g. no daemon running, are
# this machine's)
installed_checks() {
	pthook check --install > "$W/ci.out" 2> "$W/ci.err" &&
	grep -qx "install: hook $1; 0 problems, [0-9]* warnings\?" "$W/ci.out" ||
		{ cat "$W/ci.out" "$W/ci.err"; return 1; }
}

purged() {
	dpkg --purge pthook > "$W/dpkg.log" 2>&1 &&
	! [ -e /usr/sbin/pthook ] && ! [ -e /usr/lib/pthook ] && ! [ -e /etc/pthook/pthook.ini ] &&
	! grep -qs '@(#)pthook' "$HOOKS/qemu" "$HOOKS/qemu.d/pthook" || { cat "$W/dpkg.log"; return 1; }
}

check "dpkg -i: the hook is $HOOKS/qemu and works" installed "$HOOKS/qemu"
check "dpkg --purge: nothing of pthook's left" purged

mkdir -p "$HOOKS"
printf '#!/bin/sh\nexit 0\n' > "$HOOKS/qemu"; chmod 755 "$HOOKS/qemu"
cp "$HOOKS/qemu" "$W/theirs"
check "dpkg -i next to the user's qemu hook: qemu.d/pthook" installed "$HOOKS/qemu.d/pthook"
check "the user's hook is untouched" cmp -s "$HOOKS/qemu" "$W/theirs"
check "dpkg --purge: the user's hook stays" purged
check "the user's hook is still theirs" cmp -s "$HOOKS/qemu" "$W/theirs"
rm -f "$HOOKS/qemu"; rmdir "$HOOKS/qemu.d" 2>/dev/null
exit $((fails > 0))
