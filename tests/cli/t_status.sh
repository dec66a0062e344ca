#!/bin/bash
# pthook status (issue #19): what pthook holds now, per VM, from the
# state records and libvirt's run dir; left over (a record of a VM that
# no longer runs, a device kept back) exits 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

# running NAME FILE / gone NAME: libvirt's status file of a running domain
running() { mkdir -p "$PTHOOK_LIBVIRT_RUN"; cp "$2" "$PTHOOK_LIBVIRT_RUN/$1.xml"; }
gone() { rm -f "$PTHOOK_LIBVIRT_RUN/$1.xml"; }

t_running_then_left_over_after_a_crash_then_released() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG"'
[vm "idle"]
pci = 8086:7a83')
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	run status
	rc_is 0
	out_has "audio: not running; pthook holds nothing for it"
	out_has "idle: not running; pthook holds nothing for it"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	running audio "$TMP/a.xml"
	run status
	rc_is 0
	out_has "audio: running"
	out_has "  0000:00:1f.4  detached by pthook, goes back to i801_smbus, now on vfio-pci"
	out_has "  0000:00:1f.3  the guest's (libvirt gives it back to snd_hda_intel), now on snd_hda_intel"
	out_lacks "LEFT OVER"
	# libvirt lost the VM without a release (a crash): left over
	gone audio
	run status
	rc_is 1
	out_has "audio: not running; LEFT OVER: pthook release audio gives them back"
	out_has "idle: not running; pthook holds nothing for it"
	run status --json
	rc_is 1
	python3 -c 'import json,sys; d=json.load(sys.stdin); v={x["name"]: x for x in d["vms"]}
assert d["leftover"] is True, d
a=v["audio"]; assert a["leftover"] and not a["running"] and a["configured"], a
assert a["release"] == "pthook release audio", a
dev={x["address"]: x for x in a["devices"]}
assert dev["0000:00:1f.4"] == {"address": "0000:00:1f.4", "by": "pthook", "driver": "i801_smbus", "now": "vfio-pci", "kept": False}, dev
assert dev["0000:00:1f.3"]["by"] == "guest", dev
assert v["idle"]["devices"] == [] and v["idle"]["release"] is None, v' <<<"$OUT" || fail "status --json: $OUT"
	# only the VMs named
	run status idle
	rc_is 0
	out_lacks "audio"
	run release audio
	rc_is 0
	run status
	rc_is 0
	out_has "audio: not running; pthook holds nothing for it"
	stop_world
}

t_kept_device_is_left_over_even_while_the_vm_runs() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	printf '\377\377' | dd of="$SYS/bus/pci/devices/0000:00:1f.4/config" bs=1 count=2 conv=notrunc status=none
	run release audio
	rc_is 3
	running audio "$TMP/a.xml"
	run status audio
	rc_is 1
	out_has "  0000:00:1f.4  KEPT on vfio-pci: it did not survive the guest; remove and rescan it (or reboot), then pthook release audio"
	stop_world
}

# The record alone says what is held: a broken config, a VM it no
# longer names, the console handoff's steps.
t_from_the_record_alone() {
	world twins
	mkdir -m 700 "$PTHOOK_STATE_DIR"
	cat > "$PTHOOK_STATE_DIR/gpu.state" <<'REC'
domain gpu
uri qemu:///system
driver vfio-pci
detach sysfs
timeout 10
reattach yes
unit display-manager.service
vtcon 1
fb efi-framebuffer efi-framebuffer.0
device 0000:00:1f.4 i801_smbus
REC
	PTHOOK_CONFIG=$(config '[vm "gpu"
pci = 10de:2204')
	run status
	rc_is 1
	err_has "warning: "
	err_has "showing the state records alone"
	out_has "gpu: not running (no [vm] section); LEFT OVER: pthook release gpu gives them back"
	out_has "  0000:00:1f.4  detached by pthook, goes back to i801_smbus, now on i801_smbus"
	out_has "  console: stopped display-manager.service (started again on release)"
	out_has "  console: unbound fbcon from vtcon1"
	out_has "  console: unbound the firmware framebuffer efi-framebuffer.0 from efi-framebuffer"
	stop_world
}

t_no_state_dir_holds_nothing() {
	PTHOOK_CONFIG=$(config '')
	world twins
	run status
	rc_is 0
	out_has "pthook holds nothing and the config names no VM"
	run status --json
	rc_is 0
	[ "$OUT" = '{"vms": [], "leftover": false}' ] || fail "json: $OUT"
	stop_world
}

# A kill between creating NAME.state.tmp and renaming it over the record
# (state_write) leaves the temp file: a change that was about to be made
# and was not.  status names it (exit 1); release removes it, with or
# without a record beside it; the hook's release end runs for it.
t_half_written_record_named_then_removed() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	mkdir -m 700 "$PTHOOK_STATE_DIR"
	printf '# pthook: devices detached for a domain; %s\ndomain audio\nuri qemu:///sys' \
		"'pthook release' gives them back" > "$PTHOOK_STATE_DIR/audio.state.tmp"
	run status
	rc_is 1
	out_has "audio: not running; HALF-WRITTEN record (a run was killed while writing it; what it held was not done yet): pthook release audio removes it"
	out_lacks "holds nothing for it"
	run status --json
	python3 -c 'import json,sys; d=json.load(sys.stdin); a=d["vms"][0]
assert d["leftover"] and a["partial"] and a["release"] == "pthook release audio", d' <<<"$OUT" ||
		fail "status --json: $OUT"
	run release audio
	rc_is 0
	[ -e "$PTHOOK_STATE_DIR/audio.state.tmp" ] && fail "release left the temp file"
	run status
	rc_is 0
	out_has "audio: not running; pthook holds nothing for it"
	# beside a record: the record stands, the hook's release gives it back
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	cp "$PTHOOK_STATE_DIR/audio.state" "$PTHOOK_STATE_DIR/audio.state.tmp"
	echo 'device 0000:00:17.0 ahci' >> "$PTHOOK_STATE_DIR/audio.state.tmp"
	run status
	rc_is 1
	out_has "HALF-WRITTEN record"
	out_has "LEFT OVER: pthook release audio gives them back"
	out_lacks "0000:00:17.0"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "SMBus on $(drv 0000:00:1f.4)"
	[ "$(drv 0000:00:17.0)" = ahci ] || fail "SATA on $(drv 0000:00:17.0)"
	ls "$PTHOOK_STATE_DIR" | grep -q state && fail "left: $(ls "$PTHOOK_STATE_DIR")"
	stop_world
}

run_tests
