#!/bin/bash
# pthook claim (issue #19): the boot-time claim by identity, as udev runs
# it (etc/60-pthook.rules) for a PCI function that appeared before its
# driver was loaded.  On the twins host, two identical 82574L NICs told
# apart by their physical slots.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

# module_loads ADDR...: the host driver's module registers and probes
module_loads() {
	local a
	# one at a time: the fake kernel reads the file after each write
	for a in "$@"; do echo "$a" > "$SYS/bus/pci/drivers_probe"; sleep 0.2; done
}

EARLY='[vm "router"]
early = yes
pci = 8086:10d3 slot=4'

t_claims_the_named_twin_before_its_driver() {
	PTHOOK_CONFIG=$(config "$EARLY")
	world twins
	appeared 0000:03:00.0 0000:04:00.0
	run -v claim
	rc_is 0
	err_has "router: 0000:04:00.0 claimed for vfio-pci as it appeared"
	[ "$(drv 0000:04:00.0)" = vfio-pci ] || fail "04:00.0 on $(drv 0000:04:00.0)"
	[ "$(override 0000:04:00.0)" = vfio-pci ] || fail "override $(override 0000:04:00.0)"
	[ "$(drv 0000:03:00.0)" = none ] || fail "the twin was bound: $(drv 0000:03:00.0)"
	case $(override 0000:03:00.0) in ""|"(null)") ;; *) fail "the twin got an override" ;; esac
	# e1000e loads: it takes the twin, never the claimed one
	module_loads 0000:03:00.0 0000:04:00.0
	[ "$(drv 0000:03:00.0)" = e1000e ] || fail "twin on $(drv 0000:03:00.0)"
	[ "$(drv 0000:04:00.0)" = vfio-pci ] || fail "claimed NIC on $(drv 0000:04:00.0)"
	grep -q "drivers/e1000e/bind 0000:04:00.0" "$EV" && fail "e1000e bound it: $(cat "$EV")"
	# again (the next device's event): nothing moves
	: > "$EV"
	run claim
	rc_is 0
	[ -s "$EV" ] && fail "a second claim touched: $(cat "$EV")"
	stop_world
}

t_a_bound_device_is_left_for_the_start() {
	PTHOOK_CONFIG=$(config "$EARLY")
	world twins
	run -v claim
	rc_is 0
	err_has "router: 0000:04:00.0 is on e1000e already: it was bound before udev ran pthook (a built-in driver, or one in the initramfs); the start detaches it"
	[ "$(drv 0000:04:00.0)" = e1000e ] || fail "a bound device was taken: $(drv 0000:04:00.0)"
	[ -s "$EV" ] && fail "touched: $(cat "$EV")"
	stop_world
}

t_ambiguous_rule_claims_nothing() {
	PTHOOK_CONFIG=$(config '[vm "router"]
early = yes
pci = 8086:10d3')
	world twins
	appeared 0000:03:00.0 0000:04:00.0
	run -v claim
	rc_is 0
	err_has "nothing claimed early for router"
	grep -q "pthook: pthook:" <<<"$ERR" && fail "the prefix twice: $ERR"
	[ "$(drv 0000:03:00.0)$(drv 0000:04:00.0)" = nonenone ] || fail "claimed: $(cat "$EV")"
	stop_world
}

# vfio-pci not loaded yet (the boot): modprobe it first
t_loads_the_vfio_driver() {
	PTHOOK_CONFIG=$(config "$EARLY")
	world twins
	appeared 0000:04:00.0
	mkdir -p "$TMP/bin"
	mv "$SYS/bus/pci/drivers/vfio-pci" "$SYS/vfio-pci.away"
	printf '#!/bin/sh\necho "$@" > %s/modprobe.log\nmv %s %s\n' "$TMP" "$SYS/vfio-pci.away" \
		"$SYS/bus/pci/drivers/vfio-pci" > "$TMP/bin/modprobe"
	chmod +x "$TMP/bin/modprobe"
	PATH=$TMP/bin:$PATH run claim
	rc_is 0
	[ "$(cat "$TMP/modprobe.log")" = vfio-pci ] || fail "modprobe: $(cat "$TMP/modprobe.log")"
	[ "$(drv 0000:04:00.0)" = vfio-pci ] || fail "04:00.0 on $(drv 0000:04:00.0)"
	stop_world
}

# Without early = yes, udev's run costs no more than the fast path: the
# core is never loaded.
t_no_early_vm_is_the_fast_path() {
	PTHOOK_CONFIG=$(config '[vm "router"]
pci = 8086:10d3 slot=4')
	world twins
	appeared 0000:04:00.0
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=openat -o "$TMP/st" "$PTHOOK" claim ||
		fail "claim exited $?"
	grep -q 'pthook-core.so' "$TMP/st" && fail "the core was loaded"
	grep -q "$SYS" "$TMP/st" && fail "sysfs was read"
	[ "$(drv 0000:04:00.0)" = none ] || fail "claimed without early = yes"
	stop_world
}

# What libvirt's managed reattach does at the end of a VM (the device
# off vfio-pci, its host driver probed), release undoes: an early device
# is back on vfio-pci.
t_release_leaves_it_on_vfio() {
	PTHOOK_CONFIG=$(config "$EARLY")
	world twins
	appeared 0000:03:00.0 0000:04:00.0
	run claim
	domain router 0000:04:00.0 > "$TMP/r.xml"
	STDIN=$TMP/r.xml run router prepare begin -
	rc_is 0
	grep -q "^guest 0000:04:00.0 driver=vfio-pci$" "$PTHOOK_STATE_DIR/router.state" ||
		fail "record: $(cat "$PTHOOK_STATE_DIR/router.state")"
	# libvirt's reattach: unbind from vfio-pci, clear the override, probe
	echo 0000:04:00.0 > "$SYS/bus/pci/drivers/vfio-pci/unbind"
	echo > "$SYS/bus/pci/devices/0000:04:00.0/driver_override"
	module_loads 0000:04:00.0
	[ "$(drv 0000:04:00.0)" = e1000e ] || fail "the stand-in reattach did not work"
	STDIN=$TMP/r.xml run router release end -
	rc_is 0
	[ "$(drv 0000:04:00.0)" = vfio-pci ] || fail "after release on $(drv 0000:04:00.0)"
	[ -e "$PTHOOK_STATE_DIR/router.state" ] && fail "record left"
	stop_world
}

t_check_says_what_is_claimed_early() {
	PTHOOK_CONFIG=$(config "$EARLY")
	world twins
	run check router
	out_has "router: 0000:04:00.0 is claimed early: bound to vfio-pci as it appears at boot (pthook claim, from udev)"
	stop_world
}

run_tests
