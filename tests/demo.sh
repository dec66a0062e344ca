#!/bin/bash
# make demo: pthook on this host when it has IOMMU groups, otherwise on a
# bundled snapshot of a real ASUS Z690 desktop (tests/hosts/).
set -eu
cd "$(dirname "$0")/.."
B=build
TMP=$(mktemp -d /tmp/pthook-demo.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [ -n "$(ls -A /sys/kernel/iommu_groups 2>/dev/null)" ] && [ -z "${DEMO_SNAPSHOT:-}" ]; then
	SYS=/sys
	echo "# this host has IOMMU groups: showing the real thing (read-only)"
else
	SYS=$TMP/sys
	$B/tools/fakesys tests/hosts/intel-z690-desktop.inv "$SYS"
	echo "# no IOMMU here: using the bundled snapshot tests/hosts/intel-z690-desktop.inv"
fi
install -m 0600 etc/examples/pthook.ini "$TMP/pthook.ini"
show() { echo; echo "\$ $*"; "$@" || echo "(exit code $?)"; }
export PTHOOK_SYSFS=$SYS PTHOOK_CONFIG=$TMP/pthook.ini
show $B/pthook list win10 router
show $B/pthook check -v
# The example definition still points at the audio function of a card
# the machine no longer has: the hook would refuse it, apply fixes it.
echo
echo "\$ $B/pthook --simulate etc/examples/win10.xml >/dev/null    # stderr: plan and diff"
$B/pthook --simulate etc/examples/win10.xml >/dev/null ||
	echo "(exit code $?: the hook would refuse this stale definition; pthook apply fixes it)"
