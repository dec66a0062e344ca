#!/bin/bash
# pthook watch and a real libvirtd (private instance, see libvirtd.sh):
# one that restarts under it (the next event finds libvirt again; events
# are real kernel uevents, as in t_watch.sh), and a running guest that
# rules give input devices of a fake tree (inputlib.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"
. "$(dirname "$0")/inputlib.sh"
private_libvirtd

DEV=$(ls /sys/bus/pci/devices | head -1)
ID=$(cut -c3- "/sys/bus/pci/devices/$DEV/vendor"):$(cut -c3- "/sys/bus/pci/devices/$DEV/device")

# announce N: make the kernel announce $DEV, wait for the Nth verdict
announce() {
	echo add > "/sys/bus/pci/devices/$DEV/uevent"
	for _ in $(seq 100); do
		[ "$(grep -c "offline: pci $DEV: the VM is not running" "$TMP/err")" -ge "$1" ] && return
		sleep 0.05
	done
	fail "no verdict $1: $(cat "$TMP/err")"
}

t_reconnects_when_libvirtd_restarts() {
	local pid
	: > "$TMP/err"	# before the background job's redirection opens it
	"$PTHOOK" watch -v -c "$(config "[vm \"offline\"]
hotplug = yes
pci = $ID")" --connect qemu:///system 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do grep -q watching "$TMP/err" && break; sleep 0.05; done
	announce 1
	grep -q "cannot connect" "$TMP/err" && fail "no connection at first: $(cat "$TMP/err")"
	stop_libvirtd
	start_libvirtd
	announce 2
	grep -q "reconnecting" "$TMP/err" || fail "did not notice the restart: $(cat "$TMP/err")"
	grep -q "cannot connect" "$TMP/err" && fail "could not reconnect: $(cat "$TMP/err")"
	kill -TERM "$pid"; wait "$pid" || fail "watch exited $?"
}

# No libvirt hot-plugs an evdev input (qemu_hotplug.c: "input device on
# bus 'none' cannot be hot plugged"); watch asks, says so once with the
# way out, and asks this daemon no more.  The guest runs (TCG, nothing
# to boot); the devices are the fake tree's, which libvirt refuses
# before it opens them.
t_evdev_hotplug_unsupported_said_once() {
	local pid DEV SYS	# input_world's, not the PCI device's
	mkdir -p "$TMP/sys"; input_world "$TMP/sys"
	cat > "$TMP/kbd.xml" <<'XML'
<domain type='qemu'>
  <name>kbd</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh -q -c qemu:///system define "$TMP/kbd.xml" >/dev/null
	virsh -c qemu:///system start kbd > "$TMP/start.out" 2>&1 ||
		{ fail "kbd did not start: $(cat "$TMP/start.out")"; return; }
	: > "$TMP/err"
	PTHOOK_SYSFS=$TMP/sys "$PTHOOK" watch -v --attach-connected -c "$(config '[vm "kbd"]
hotplug = yes
input = kind=keyboard all')" --connect qemu:///system 2> "$TMP/err" &
	pid=$!
	for _ in $(seq 100); do grep -q watching "$TMP/err" && break; sleep 0.05; done
	kill -TERM "$pid"; wait "$pid" || fail "watch exited $?"
	ERR=$(cat "$TMP/err")
	grep -q "kbd: input event3 'AT Translated Set 2 keyboard' (i8042 keyboard, isa0060/serio0/input0): libvirt [0-9.]* cannot hot-plug evdev inputs (.*cannot be hot plugged.*); the VM gets it at its next start: 'pthook apply kbd' puts it in the definition" "$TMP/err" ||
		fail "not said: $ERR"
	[ "$(grep -c "Said once" "$TMP/err")" = 1 ] || fail "not said once: $ERR"
	grep -q "kbd: input event9 'Logitech USB Receiver' .*: libvirt cannot hot-plug evdev inputs (said above)" "$TMP/err" ||
		fail "event9 not skipped quietly: $ERR"
	[ "$(virsh -c qemu:///system domstate kbd)" = running ] || fail "kbd is $(virsh -c qemu:///system domstate kbd)"
	virsh -c qemu:///system destroy kbd >/dev/null 2>&1
}

run_tests
