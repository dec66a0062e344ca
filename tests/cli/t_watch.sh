#!/bin/bash
# pthook watch against real kernel events on this machine: writing "add"
# to a device's uevent file makes the kernel announce it again, as if it
# had just appeared.  The VMs here are never running (libvirt's test:///
# driver), so nothing is attached; attaching for real is the VM tier's
# (tests/vm/scenarios.sh, s_usb_hotplug).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/inputlib.sh"

DEV=$(ls /sys/bus/pci/devices | head -1)
ID=$(cut -c3- "/sys/bus/pci/devices/$DEV/vendor"):$(cut -c3- "/sys/bus/pci/devices/$DEV/device")

# watch CONFIG: run pthook watch -v, announce $DEV, stop it with SIGTERM
watch() {
	: > "$TMP/err"	# before the background job's redirection opens it
	"$PTHOOK" watch -v -c "$1" --connect test:///default > "$TMP/out" 2> "$TMP/err" &
	local pid=$!
	for _ in $(seq 100); do grep -q watching "$TMP/err" && break; sleep 0.05; done
	echo add > "/sys/bus/pci/devices/$DEV/uevent"
	for _ in $(seq 100); do grep -q "pci $DEV" "$TMP/err" 2>/dev/null && break; sleep 0.05; done
	kill -TERM "$pid"; wait "$pid"; RC=$?
	ERR=$(cat "$TMP/err")
}

t_device_of_a_vm_that_is_not_running() {
	[ -w "/sys/bus/pci/devices/$DEV/uevent" ] || { fail "cannot write $DEV/uevent"; return; }
	watch "$(config "[vm \"offline\"]
hotplug = yes
pci = $ID")"
	rc_is 0
	err_has "watching USB, PCI and input devices"
	err_has "offline: pci $DEV: the VM is not running"
	err_has "stopping; devices stay where they are"
}

t_hotplug_no_is_respected() {
	watch "$(config "[vm \"test\"]
pci = $ID")"
	rc_is 0
	err_has "test: pci $DEV: rule line 2 names it, but hotplug = no"
}

t_device_no_rule_names() {
	watch "$(config '[vm "other"]
hotplug = yes
pci = ffff:0001')"
	rc_is 0
	err_has "pci $DEV $ID"
	err_has "no pci = rule names it"
}

# input devices present at start (a fake tree): each goes to the verdict
# its owner's state gives
t_input_devices_at_start() {
	local DEV SYS pid
	mkdir -p "$TMP/sys"; input_world "$TMP/sys"
	: > "$TMP/err"
	PTHOOK_SYSFS=$TMP/sys "$PTHOOK" watch -v --attach-connected -c "$(config '[vm "offline"]
hotplug = yes
input = bus=i8042
[vm "test"]
input = kind=touchpad')" --connect test:///default 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do grep -q "Power Button" "$TMP/err" && break; sleep 0.05; done
	kill -TERM "$pid"; wait "$pid"; RC=$?
	ERR=$(cat "$TMP/err")
	rc_is 0
	err_has "offline: input event3 'AT Translated Set 2 keyboard' (i8042 keyboard, isa0060/serio0/input0): the VM is not running"
	err_has "test: input event7 'SYNA8004:00 06CB:CE44 Touchpad' (i2c touchpad, i2c-SYNA8004:00): a rule names it, but hotplug = no"
	err_has "input event12 'Power Button' (host other, PNP0C0C/button/input0): no VM's input = rules select it"
}

t_bad_config_refused_at_start() {
	run watch -c "$(config '[vm "a"]
hotplug = maybe')"
	rc_is 2
	err_has "hotplug = maybe: expected yes or no"
	run watch extra
	rc_is 2
}

run_tests
