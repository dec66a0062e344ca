#!/bin/bash
# The health check on release (issue #16): a device that reads ffff, or
# whose own driver does not take it back, stays on vfio-pci instead of
# going to a host driver that may crash on it; it is said, logged, kept
# on record, shown by list, refused to the next start while it is dead,
# and given back once it answers again (removed and rescanned).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

# kill_dev ADDR / revive ADDR: its config space reads all ones, as after a
# reset that failed; then its vendor id again
kill_dev() {
	head -c2 "$SYS/bus/pci/devices/$1/config" > "$TMP/vendor.$1"
	printf '\377\377' | dd of="$SYS/bus/pci/devices/$1/config" bs=1 count=2 conv=notrunc status=none
}
revive() { dd if="$TMP/vendor.$1" of="$SYS/bus/pci/devices/$1/config" bs=1 count=2 conv=notrunc status=none; }

t_dead_group_mate_kept_on_vfio_then_given_back() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "SMBus on $(drv 0000:00:1f.4)"
	kill_dev 0000:00:1f.4
	run release audio
	rc_is 3
	err_has "pthook: audio: 0000:00:1f.4 did not survive the guest: its config space reads ffff (it fell off the bus, or did not come back from its reset); kept on vfio-pci instead of i801_smbus; remove and rescan it (echo 1 > /sys/bus/pci/devices/0000:00:1f.4/remove; echo 1 > /sys/bus/pci/rescan) or reboot, then pthook release audio"
	err_lines 1
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "a dead device went to $(drv 0000:00:1f.4)"
	grep -q 'drivers/i801_smbus/bind\|driver_override $' "$EV" && fail "something was given back: $(cat "$EV")"
	grep -q '^device 0000:00:1f.4 i801_smbus kept$' "$PTHOOK_STATE_DIR/audio.state" ||
		fail "not on record: $(cat "$PTHOOK_STATE_DIR/audio.state")"
	# the hook form (libvirt's release) exits 0 whatever it found
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	err_has "did not survive the guest"
	run list
	out_has "0000:00:1f.4  0c0500  8086:7aa3  1043:8694  vfio-pci"
	out_has "[did not survive audio: kept on vfio-pci; remove and rescan, or reboot]"
	run list --json
	out_has '"address": "0000:00:1f.4"'
	python3 -c 'import json,sys; d=[x for g in json.load(sys.stdin)["groups"] for x in g["devices"]]
k={x["address"]: x["kept"] for x in d}
assert k["0000:00:1f.4"] == "audio" and k["0000:00:1f.3"] is None, k' <<<"$OUT" || fail "list --json: kept"
	# dead, it refuses the next start; nothing else is touched
	: > "$EV"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "pthook: audio: 0000:00:1f.4 did not survive the last run and still reads ffff; remove and rescan it"
	[ -s "$EV" ] && fail "touched: $(cat "$EV")"
	# it answers again: given back, off the record
	revive 0000:00:1f.4
	run release audio
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "SMBus on $(drv 0000:00:1f.4)"
	[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "record left: $(cat "$PTHOOK_STATE_DIR/audio.state")"
	run list
	out_lacks "did not survive"
	stop_world
}

# The guest's own device: libvirt gives it back before release runs,
# and here its driver's probe failed on a dead GPU (fakekernel refuses
# every driver but vfio-pci on a device that reads ffff).
t_guest_gpu_that_libvirt_could_not_give_back_is_kept() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4')
	world twins
	domain win10 0000:01:00.0 0000:01:00.1 > "$TMP/w.xml"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0
	grep -q '^guest 0000:01:00.0 driver=nouveau$' "$PTHOOK_STATE_DIR/win10.state" ||
		fail "the driver it had is not on record: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	# libvirt's managed detach, the guest, its reattach: the probe fails
	echo 0000:01:00.0 > "$SYS/bus/pci/drivers/nouveau/unbind"
	kill_dev 0000:01:00.0
	echo 0000:01:00.0 > "$SYS/bus/pci/drivers_probe"
	sleep 0.2
	[ "$(drv 0000:01:00.0)" = none ] || fail "fakekernel bound a dead GPU to $(drv 0000:01:00.0)"
	STDIN=$TMP/w.xml run win10 release end -
	rc_is 0
	err_has "pthook: win10: 0000:01:00.0 did not survive the guest: its config space reads ffff"
	err_has "kept on vfio-pci instead of nouveau"
	err_lines 1
	[ "$(drv 0000:01:00.0)" = vfio-pci ] || fail "GPU on $(drv 0000:01:00.0)"
	[ "$(drv 0000:01:00.1)" = snd_hda_intel ] || fail "its healthy audio function moved"
	stop_world
}

# Alive, but its own driver does not bind it again.
t_host_driver_failing_to_bind_keeps_it_on_vfio() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	FAILING=0000:00:1f.4 world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	run release audio
	rc_is 3
	err_has "pthook: audio: 0000:00:1f.4 did not survive the guest: i801_smbus did not take it back; kept on vfio-pci instead of i801_smbus"
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "SMBus on $(drv 0000:00:1f.4)"
	grep -q 'kept$' "$PTHOOK_STATE_DIR/audio.state" || fail "not on record"
	stop_world
}

# A healthy release is unchanged: no false alarm.
t_healthy_release_says_nothing() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	run release audio
	rc_is 0
	[ -z "$ERR" ] || fail "said: $ERR"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "SMBus on $(drv 0000:00:1f.4)"
	stop_world
}

run_tests
