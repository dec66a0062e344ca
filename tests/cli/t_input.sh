#!/bin/bash
# input = rules (issue #21, first part): input devices on a fake
# /sys/class/input and /dev/input/by-* tree, in list and check.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inputlib.sh"

world() { input_world "$(host intel-z690-desktop)"; }

t_list_shows_input_devices_and_owners() {
	world
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = name="AT Translated Set 2 keyboard"
input = kind=touchpad')" list
	rc_is 0
	out_has "
Input
  event3   0001:0001  i8042     keyboard       laptop           AT Translated Set 2 keyboard  [phys isa0060/serio0/input0]  [/dev/input/by-path/platform-i8042-serio-0-event-kbd]
  event7   06cb:ce44  i2c       touchpad       laptop           SYNA8004:00 06CB:CE44 Touchpad  [phys i2c-SYNA8004:00]  [no stable path: only its event node]
  event9   046d:c52b  usb       keyboard       -                Logitech USB Receiver  [phys usb-0000:00:14.0-2/input0]  [/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd]
  event10  046d:c52b  usb       mouse          -                Logitech USB Receiver Mouse  [phys usb-0000:00:14.0-2/input1]  [/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse]
  event12  0000:0001  host      other          -                Power Button  [phys PNP0C0C/button/input0]  [no stable path: only its event node]"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = kind=touchpad')" list --json
	python3 -c 'import json,sys; i={x["event"]: x for x in json.load(sys.stdin)["input"]}
assert sorted(i) == ["event10", "event12", "event3", "event7", "event9"], i
assert i["event7"]["vm"] == "laptop" and i["event7"]["kind"] == "touchpad" and i["event7"]["bus"] == "i2c", i["event7"]
assert i["event10"]["by_id"].endswith("if01-event-mouse") and i["event10"]["by_path"].startswith("/dev/input/by-path/"), i["event10"]
assert i["event3"]["vm"] is None, i["event3"]' <<<"$OUT" || fail "list --json input: $OUT"
	run --sysfs "$SYS" -c "$(config '')" list laptop
	[[ $OUT == *$'\nInput\n'* ]] && fail "input rows for a VM that names none"
	true
}

t_check_resolves_ambiguity_and_deny() {
	world
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = kind=keyboard')" check
	rc_is 1
	err_has "pthook: laptop: 'input = kind=keyboard' is ambiguous, 2 devices match"
	err_has "event3 'AT Translated Set 2 keyboard' (i8042 keyboard, isa0060/serio0/input0), event9 'Logitech USB Receiver' (usb keyboard, usb-0000:00:14.0-2/input0); tell them apart with name=, phys= or kind=, or take them all with 'all'"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = kind=keyboard
input_deny = bus=usb')" check -v
	rc_is 0
	out_has "laptop: input rule 'kind=keyboard' (line 2) selects event3 'AT Translated Set 2 keyboard'"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = 046d:c52b all')" check --json
	python3 -c 'import json,sys; v=json.load(sys.stdin)["vms"][0]
assert [i["event"] for i in v["input"]] == ["event9", "event10"], v["input"]
assert v["input"][0]["path"] == "/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd", v' <<<"$OUT" ||
		fail "check --json input: $OUT"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = name=Wacom')" check
	rc_is 1
	err_has "pthook: laptop: 'input = name=Wacom' matches no input device"
}

t_bad_input_rule_names_the_line() {
	world
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = bus=ps2')" check
	rc_is 2
	err_has ":2: input = bus=ps2: bus=ps2: one of i8042 i2c usb bluetooth host spi rmi pci isa virtual"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input_deny = kind=joystick')" check
	rc_is 2
	err_has "kind=joystick: one of keyboard mouse touchpad"
}

LAPTOP='[vm "laptop"]
input = name="AT Translated Set 2 keyboard"
input = kind=touchpad
input = 046d:c52b kind=mouse grab=all'

# domain NAME [INPUT-XML]: a definition with those input elements
domain() {
	cat <<XML
<domain type='kvm'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <input type='tablet' bus='usb'/>${2:-}
    <graphics type='vnc'/>
  </devices>
</domain>
XML
}

t_simulate_adds_evdev_inputs_by_stable_path() {
	world
	domain laptop > "$TMP/l.xml"
	run --sysfs "$SYS" -c "$(config "$LAPTOP")" --simulate "$TMP/l.xml"
	rc_is 1	# inputs are in the verdict: a definition that lacks them is stale
	err_has "laptop: add input event3 'AT Translated Set 2 keyboard'"
	err_has "pthook: laptop: definition lacks input event3 'AT Translated Set 2 keyboard' (i8042 keyboard, isa0060/serio0/input0), which 'input = name=\"AT Translated Set 2 keyboard\"' (line 2) names; run: pthook apply --vm laptop"
	err_has "pthook: laptop: warning: event7 'SYNA8004:00 06CB:CE44 Touchpad' (i2c touchpad, i2c-SYNA8004:00) has no link in /dev/input/by-id or by-path: the definition names /dev/input/event7, which the next boot may give another device"
	echo "$OUT" > "$TMP/out.xml"
	python3 - "$TMP/out.xml" <<'PY' || fail "rewritten XML: $OUT"
import sys, xml.etree.ElementTree as ET
ins = [i for i in ET.parse(sys.argv[1]).iter("input") if i.get("type") == "evdev"]
src = [(i.find("source").get("dev"), i.find("source").get("grab"), i.find("source").get("repeat")) for i in ins]
assert src == [("/dev/input/by-path/platform-i8042-serio-0-event-kbd", "all", "on"),
               ("/dev/input/event7", None, None),
               ("/dev/input/by-id/usb-Logitech_USB_Receiver-if01-event-mouse", "all", None)], src
PY
	# libvirt's own parser takes it; simulating the output changes nothing
	virsh -q -c test:///default define "$TMP/out.xml" > "$TMP/v.out" 2>&1 ||
		fail "libvirt refuses it: $(cat "$TMP/v.out")"
	run --sysfs "$SYS" -c "$(config "$LAPTOP")" --simulate "$TMP/out.xml" --json
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["input_add"] == [] and d["input_rewrite"] == [] and d["verdict"] == "start", d' <<<"$OUT" ||
		fail "simulating the output adds again: $OUT"
	# the warning is in the JSON too
	run --sysfs "$SYS" -c "$(config "$LAPTOP")" --simulate "$TMP/l.xml" --json
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert any("has no link in /dev/input/by-id" in w for w in d["warnings"]), d["warnings"]' <<<"$OUT" ||
		fail "no warnings in the JSON: $OUT"
}

# A definition written last boot names /dev/input/eventN: the keyboard is
# event3 now, and event5 is gone.  Each element keeps its settings and
# gets the stable path; an element of a device no rule names stays.
t_event_node_sources_rewritten_in_place() {
	world
	domain laptop "
    <input type='evdev'>
      <source dev='/dev/input/event5' grab='all' grabToggle='ctrl-ctrl' repeat='on'/>
    </input>
    <input type='evdev'>
      <source dev='/dev/input/event7'/>
    </input>
    <input type='evdev'>
      <source dev='/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd'/>
    </input>" > "$TMP/l.xml"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = name="AT Translated Set 2 keyboard"
input = kind=touchpad')" --simulate "$TMP/l.xml"
	rc_is 1	# event5 is gone: stale
	err_has "laptop: input /dev/input/event5 is rewritten in place to /dev/input/by-path/platform-i8042-serio-0-event-kbd"
	err_has "pthook: laptop: <input type='evdev'> /dev/input/event5: no such device now (stale definition); run: pthook apply --vm laptop"
	echo "$OUT" > "$TMP/out.xml"
	python3 - "$TMP/out.xml" <<'PY' || fail "rewritten XML: $OUT"
import sys, xml.etree.ElementTree as ET
src = [i.find("source").attrib for i in ET.parse(sys.argv[1]).iter("input") if i.get("type") == "evdev"]
assert src == [{"dev": "/dev/input/by-path/platform-i8042-serio-0-event-kbd", "grab": "all", "grabToggle": "ctrl-ctrl", "repeat": "on"},
               {"dev": "/dev/input/event7"},
               {"dev": "/dev/input/by-id/usb-Logitech_USB_Receiver-event-kbd"}], src
PY
	virsh -q -c test:///default define "$TMP/out.xml" > "$TMP/v.out" 2>&1 ||
		fail "libvirt refuses it: $(cat "$TMP/v.out")"
}

t_ambiguous_input_rule_is_said_and_adds_nothing() {
	world
	domain laptop > "$TMP/l.xml"
	run --sysfs "$SYS" -c "$(config '[vm "laptop"]
input = kind=keyboard')" --simulate "$TMP/l.xml"
	rc_is 1	# an input rule in error refuses the start, as a pci rule does
	err_has "'input = kind=keyboard' is ambiguous, 2 devices match"
	grep -q "evdev" <<<"$OUT" && fail "added an input: $OUT"
	true
}

run_tests
