#!/bin/bash
# pthook apply against a real libvirtd (private instance, qemu driver):
# the definition read back with virsh dumpxml --inactive.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"
. "$(dirname "$0")/inputlib.sh"
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

# input = rules (issue #21): the QEMU driver defines pthook's
# <input type='evdev'> elements (it checks QEMU can do input-linux)
t_apply_defines_evdev_inputs() {
	local cfg
	input_world "$(host intel-z690-desktop)"
	cfg=$(config '[vm "laptop"]
input = name="AT Translated Set 2 keyboard"
input = 046d:c52b kind=mouse')
	cat > "$TMP/laptop.xml" <<'XML'
<domain type='qemu'>
  <name>laptop</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <input type='evdev'>
      <source dev='/dev/input/event5' grabToggle='ctrl-ctrl'/>
    </input>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh -q define "$TMP/laptop.xml" >/dev/null || { fail "virsh define failed"; return; }
	run --sysfs "$SYS" -c "$cfg" apply --connect qemu:///system --vm laptop -y --backup-dir "$TMP/bk"
	rc_is 0
	out_has "laptop: defined; previous definition saved as"
	virsh dumpxml --inactive laptop > "$TMP/after.xml"
	python3 - "$TMP/after.xml" <<'PY' || fail "libvirt's definition: $(cat "$TMP/after.xml")"
import sys, xml.etree.ElementTree as ET
src = [i.find("source").attrib for i in ET.parse(sys.argv[1]).iter("input") if i.get("type") == "evdev"]
assert src == [{"dev": "/dev/input/by-path/platform-i8042-serio-0-event-kbd", "grabToggle": "ctrl-ctrl"},
               {"dev": "/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse"}], src
PY
	run --sysfs "$SYS" -c "$cfg" apply --connect qemu:///system --vm laptop -y --backup-dir "$TMP/bk"
	out_has "laptop: definition is up to date"
	virsh -q undefine laptop >/dev/null
}

run_tests
