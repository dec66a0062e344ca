#!/bin/bash
# input = rules (issue #21, first part): input devices on a fake
# /sys/class/input and /dev/input/by-* tree, in list and check.
. "$(dirname "$0")/lib.sh"

# evdev N BUS VVVV:PPPP KIND NAME [PHYS]: eventN as the kernel shows it;
# KIND keyboard|mouse|touchpad|other sets its capability bitmaps
evdev() {
	local d=$SYS/class/input/event$1/device
	mkdir -p "$d/id" "$d/capabilities"
	echo "$2" > "$d/id/bustype"; echo "${3%:*}" > "$d/id/vendor"; echo "${3#*:}" > "$d/id/product"
	echo "$5" > "$d/name"
	[ -n "${6:-}" ] && echo "$6" > "$d/phys"
	local ev=3 key=0 rel=0 abs=0
	case $4 in
	keyboard) ev=120013 key="402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe" ;;
	mouse) ev=17 key="70000 0 0 0 0" rel=903 ;;
	touchpad) ev=b key="e520 10000 0 0 0 0" abs=3 ;;
	esac
	echo "$ev" > "$d/capabilities/ev"; echo "$key" > "$d/capabilities/key"
	echo "$rel" > "$d/capabilities/rel"; echo "$abs" > "$d/capabilities/abs"
}
link() { mkdir -p "$DEV/input/$1"; ln -sf "../event$3" "$DEV/input/$1/$2"; }

world() {
	SYS=$(host intel-z690-desktop) DEV=$TMP/dev
	evdev 3 0011 0001:0001 keyboard "AT Translated Set 2 keyboard" isa0060/serio0/input0
	evdev 7 0018 06cb:ce44 touchpad "SYNA8004:00 06CB:CE44 Touchpad" i2c-SYNA8004:00
	evdev 9 0003 046d:c52b keyboard "Logitech USB Receiver" usb-0000:00:14.0-2/input0
	evdev 10 0003 046d:c52b mouse "Logitech USB Receiver Mouse" usb-0000:00:14.0-2/input1
	evdev 12 0019 0000:0001 other "Power Button" PNP0C0C/button/input0
	link by-path platform-i8042-serio-0-event-kbd 3
	link by-id usb-Logitech_USB_Receiver-event-kbd 9
	link by-id usb-Logitech_USB_Receiver-if01-event-mouse 10
	link by-path pci-0000:00:14.0-usb-0:2:1.1-event-mouse 10
	export PTHOOK_DEV=$DEV
}

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

run_tests
