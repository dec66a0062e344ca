#!/bin/bash
# pthook apply against a real libvirtd (private instance, qemu driver):
# the definition read back with virsh dumpxml --inactive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"
private_libvirtd

t_apply_rewrites_the_persistent_definition() {
	local sys cfg
	sys=$(host intel-z690-desktop)
	cfg=$(config "$(cat "$ROOT/etc/examples/pthook.ini")")
	sed -e "s|<domain type='kvm'|<domain type='qemu'|" -e "s|pc-q35-7.2|q35|" \
	    -e "/<loader/d" "$ROOT/etc/examples/win10.xml" > "$TMP/win10.xml"
	virsh -q define "$TMP/win10.xml" >/dev/null || { fail "virsh define failed"; return; }
	run --sysfs "$sys" -c "$cfg" apply --connect qemu:///system --vm win10 -y --backup-dir "$TMP/bk"
	rc_is 0
	out_has "win10: defined; previous definition saved as $TMP/bk/win10-"
	virsh dumpxml --inactive win10 > "$TMP/after.xml"
	python3 - "$TMP/after.xml" <<'PY' || fail "libvirt's definition is not the planned one"
import sys, xml.etree.ElementTree as ET
dom = ET.parse(sys.argv[1]).getroot()
pci = [h for h in dom.iter("hostdev") if h.get("type") == "pci"]
addrs = sorted((int(a.get("bus"), 16), int(a.get("function"), 16))
               for a in (h.find("source/address") for h in pci))
assert addrs == [(4, 0), (4, 1)], addrs
gpu = [h for h in pci if int(h.find("source/address").get("function"), 16) == 0][0]
assert gpu.find("rom").get("file") == "/usr/share/vgabios/rx560.rom"
assert gpu.find("alias").get("name") == "ua-gpu"
assert gpu.find("address").get("bus") == "0x06"
assert [h for h in dom.iter("hostdev") if h.get("type") == "usb"], "USB hostdev lost"
PY
	# the second run finds nothing to do
	run --sysfs "$sys" -c "$cfg" apply --connect qemu:///system --vm win10 -y --backup-dir "$TMP/bk"
	rc_is 0
	out_has "win10: definition is up to date"
}

run_tests
