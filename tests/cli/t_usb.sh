#!/bin/bash
# usb = rules (issue #9) in --simulate: the USB hostdevs a definition
# lacks are added, on a fake sysfs with a bus/usb/devices tree.
. "$(dirname "$0")/lib.sh"

# usbdev SYS PORT VVVV:PPPP BUS DEV DEVCLASS IFCLASSES [SERIAL [PRODUCT]]:
# a device as sysfs shows it; IFCLASSES "030101 030102" = class,
# subclass, protocol of each interface
usbdev() {
	local d=$1/bus/usb/devices/$2 i=0 c
	mkdir -p "$d"
	echo "${3%:*}" > "$d/idVendor"; echo "${3#*:}" > "$d/idProduct"
	echo "$4" > "$d/busnum"; echo "$5" > "$d/devnum"
	echo "${6:0:2}" > "$d/bDeviceClass"; echo "${6:2:2}" > "$d/bDeviceSubClass"
	echo "${6:4:2}" > "$d/bDeviceProtocol"
	for c in $7; do
		mkdir -p "$d/$2:1.$i"
		echo "${c:0:2}" > "$d/$2:1.$i/bInterfaceClass"
		echo "${c:2:2}" > "$d/$2:1.$i/bInterfaceSubClass"
		echo "${c:4:2}" > "$d/$2:1.$i/bInterfaceProtocol"
		i=$((i + 1))
	done
	[ -n "${8:-}" ] && echo "$8" > "$d/serial"
	[ -n "${9:-}" ] && echo "$9" > "$d/product"
	true
}

world() {
	SYS=$(host intel-z690-desktop)
	mkdir -p "$SYS/bus/usb/devices/usb1"	# a root hub: never a candidate
	usbdev "$SYS" 1-2 046d:c52b 1 3 000000 "030101 030102" "" "USB Receiver"
	usbdev "$SYS" 1-3.1 0403:6001 1 5 000000 "ff0000" A10KXYZ1 "FT232R USB UART"
	usbdev "$SYS" 1-3.2 0403:6001 1 6 000000 "ff0000" A10KXYZ2 "FT232R USB UART"
	usbdev "$SYS" 2-1 1050:0407 2 2 000000 "030000 0b0000" "" "YubiKey OTP+FIDO+CCID"
	CFG=$(config '[vm "desk"]
usb = class=03
usb_deny = 1050:0407
usb = 0403:6001 serial=A10KXYZ2
[vm "lab"]
usb = 1050:0407')
	cat > "$TMP/desk.xml" <<'XML'
<domain type='kvm'>
  <name>desk</name>
  <devices>
    <hostdev mode='subsystem' type='usb' managed='yes'>
      <source>
        <vendor id='0x046d'/>
        <product id='0xc52b'/>
      </source>
    </hostdev>
  </devices>
</domain>
XML
}

t_simulate_adds_the_missing_usb_hostdevs() {
	world
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/desk.xml"
	rc_is 0	# USB changes are apply's; the start is not refused for them
	err_has "desk: usb rule 'class=03' (line 2): 1-2 046d:c52b USB Receiver is in the definition"
	err_has "desk: usb rule '0403:6001 serial=A10KXYZ2' (line 4) selects 1-3.2 0403:6001 FT232R USB UART: add hostdev with its bus address"
	python3 - "$OUT" <<'PY' || fail "rewritten XML: $OUT"
import sys, xml.etree.ElementTree as ET
usb = [h.find("source") for h in ET.fromstring(sys.argv[1]).iter("hostdev") if h.get("type") == "usb"]
ids = [(s.find("vendor").get("id"), s.find("product").get("id"),
        None if s.find("address") is None else (s.find("address").get("bus"), s.find("address").get("device")))
       for s in usb]
# kept as it was, then the adapter by address; not the key (denied),
# not the other adapter (no rule)
assert ids == [("0x046d", "0xc52b", None), ("0x0403", "0x6001", ("1", "6"))], ids
assert usb[1].get("startupPolicy") == "optional"
PY
	echo "$OUT" > "$TMP/again.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/again.xml" --json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["usb_add"]==[], d' "$OUT" ||
		fail "simulating the output adds again: $OUT"
}

t_first_match_wins_and_deny_passes_on() {
	world
	sed 's/desk/lab/' "$TMP/desk.xml" > "$TMP/lab.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/lab.xml" --json
	rc_is 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["usb_add"]==["2-1"], d' "$OUT" ||
		fail "lab: $OUT"
}

t_bad_usb_rule_names_the_line() {
	world
	run --sysfs "$SYS" -c "$(config '[vm "desk"]
usb = class=3')" --simulate "$TMP/desk.xml"
	rc_is 2
	err_has ":2: usb = class=3: class wants 2 hex digits, e.g. 03"
}

t_host_without_usb() {
	world
	rm -rf "$SYS/bus/usb"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/desk.xml" --json
	rc_is 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["usb_add"]==[], d' "$OUT" ||
		fail "no USB: $OUT"
}

# list's USB rows (issue #19): owner by rule, attached to a running VM
# (libvirt's status file), by pthook watch (that VM's record).
t_list_shows_usb_with_owner_and_attachment() {
	local st=$TMP/st lv=$TMP/lvrun
	world
	mkdir -p -m 700 "$st"; mkdir -p "$lv"
	cat > "$lv/desk.xml" <<'XML'
<domstatus state='running' pid='1'><domain type='kvm'><name>desk</name><devices>
<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>
<hostdev mode='subsystem' type='usb' managed='yes'><source><vendor id='0x0403'/><product id='0x6001'/><address bus='1' device='6'/></source></hostdev>
</devices></domain></domstatus>
XML
	printf 'domain desk\nusb 1-3.2\n' > "$st/desk.state"
	PTHOOK_LIBVIRT_RUN=$lv run --sysfs "$SYS" -c "$CFG" --state-dir "$st" list
	rc_is 0
	out_has "
USB
  1-2        046d:c52b  desk             USB Receiver  [attached to desk]
  1-3.1      0403:6001  -                FT232R USB UART  [serial A10KXYZ1]
  1-3.2      0403:6001  desk             FT232R USB UART  [serial A10KXYZ2]  [attached to desk by pthook watch]
  2-1        1050:0407  lab              YubiKey OTP+FIDO+CCID"
	out_lacks "usb1 "
	PTHOOK_LIBVIRT_RUN=$lv run --sysfs "$SYS" -c "$CFG" --state-dir "$st" list lab
	out_has "  2-1        1050:0407  lab "
	out_lacks "1-3.2"
	PTHOOK_LIBVIRT_RUN=$lv run --sysfs "$SYS" -c "$CFG" --state-dir "$st" list --json
	rc_is 0
	python3 -c 'import json,sys; u={x["port"]: x for x in json.load(sys.stdin)["usb"]}
assert sorted(u) == ["1-2", "1-3.1", "1-3.2", "2-1"], u
assert u["1-3.2"] == {"port": "1-3.2", "vendor": "0403", "product": "6001", "name": "FT232R USB UART",
    "serial": "A10KXYZ2", "vm": "desk", "attached": "desk", "watch": True}, u["1-3.2"]
assert u["1-3.1"]["vm"] is None and u["1-3.1"]["attached"] is None, u["1-3.1"]
assert u["2-1"]["vm"] == "lab" and u["1-2"]["watch"] is False, u' <<<"$OUT" || fail "list --json usb: $OUT"
	# the VM stopped: nothing is attached, whatever its record says
	rm "$lv/desk.xml"
	PTHOOK_LIBVIRT_RUN=$lv run --sysfs "$SYS" -c "$CFG" --state-dir "$st" list
	out_lacks "attached to"
	rm -rf "$SYS/bus/usb"
	run --sysfs "$SYS" -c "$CFG" --state-dir "$st" list
	rc_is 0
	[[ $OUT == *$'\nUSB\n'* ]] && fail "a USB section without USB devices"
	true
}

run_tests
