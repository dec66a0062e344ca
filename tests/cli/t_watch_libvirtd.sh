#!/bin/bash
# pthook watch and a real libvirtd (private instance, see libvirtd.sh)
# that restarts under it: the next event finds libvirt again.  Events
# are real kernel uevents, as in t_watch.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"
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

run_tests
