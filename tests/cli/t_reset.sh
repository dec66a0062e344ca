#!/bin/bash
# Reset policy (issue #16): a rule's reset= sets the device's
# reset_method for the VM's lifetime and release restores it from the
# state record; check warns about devices known not to reset.  On fake
# trees (tests/tools/fakekernel plays the kernel).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

GPU=0000:01:00.0

reset_world() {
	world twins
	printf 'flr bus\n' > "$SYS/bus/pci/devices/$GPU/reset_method"
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4 reset=bus,pm')
	domain win10 $GPU 0000:01:00.1 > "$TMP/w.xml"
}

t_reset_method_set_for_the_vm_and_restored() {
	reset_world
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0
	[ "$(cat "$SYS/bus/pci/devices/$GPU/reset_method")" = "bus pm" ] ||
		fail "reset_method is '$(cat "$SYS/bus/pci/devices/$GPU/reset_method")'"
	grep -qx "guest $GPU driver=nouveau reset=flr,bus" "$PTHOOK_STATE_DIR/win10.state" ||
		fail "the old method is not on record: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	# release works from the record alone: the rule may be gone by then
	PTHOOK_CONFIG=$(config '[vm "other"]
pci = 8086:10d3 slot=3')
	STDIN=$TMP/w.xml run win10 release end -
	rc_is 0
	[ "$(cat "$SYS/bus/pci/devices/$GPU/reset_method")" = "flr bus" ] ||
		fail "not restored: '$(cat "$SYS/bus/pci/devices/$GPU/reset_method")'"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "state left"
	stop_world
}

t_reset_without_reset_method_refused_untouched() {
	reset_world
	rm "$SYS/bus/pci/devices/$GPU/reset_method"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 3
	err_has "pthook: win10: $GPU: cannot read $SYS/bus/pci/devices/$GPU/reset_method"
	err_has "reset= needs kernel 5.15 or later"
	[ -s "$EV" ] && fail "something was touched: $(cat "$EV")"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "a record was left"
	stop_world
}

t_reset_of_a_detached_mate_restored_on_rollback() {
	# the detach never finishes (fakekernel never binds 1f.3 to vfio-pci
	# under -s): the rollback puts the reset method back too
	STALL=0000:00:1f.3 world twins
	printf 'flr\n' > "$SYS/bus/pci/devices/0000:00:1f.3/reset_method"
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
timeout = 1
[vm "audio"]
pci = 8086:7ad0 reset=pm
group = detach')
	domain audio 0000:00:1f.3:no > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	[ "$(cat "$SYS/bus/pci/devices/0000:00:1f.3/reset_method")" = flr ] ||
		fail "not restored on rollback: '$(cat "$SYS/bus/pci/devices/0000:00:1f.3/reset_method")'"
	stop_world
}

t_check_warns_about_gpus_that_do_not_reset() {
	local sys; sys=$(host intel-z690-desktop)
	local cfg; cfg=$(config "$(cat "$ROOT/etc/examples/pthook.ini")")
	run --sysfs "$sys" -c "$cfg" check win10
	rc_is 0
	err_has "warning: 0000:04:00.0 1002:67ff"
	err_has "(AMD Polaris 11) has the AMD reset bug"
	err_has "vendor_reset is not loaded; the kernel offers reset_method nothing (no reset_method)"
	err_has "source: vendor-reset's device list"
	mkdir -p "$sys/module/vendor_reset"
	printf 'device_specific bus\n' > "$sys/bus/pci/devices/0000:04:00.0/reset_method"
	run --sysfs "$sys" -c "$cfg" check win10
	err_has "vendor_reset is loaded; the kernel offers reset_method device_specific,bus"
	# an NVIDIA card is not in the table
	sys=$(host twins)
	cfg=$(config '[vm "g"]
pci = 10de:1b81 subsystem=1043:85f4')
	run --sysfs "$sys" -c "$cfg" check g
	grep -q 'reset bug' <<<"$ERR" && fail "warned about a card not in the table"
}

run_tests
