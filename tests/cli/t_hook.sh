#!/bin/bash
# The hook (SPEC §5) on fake sysfs trees, with tests/tools/fakekernel
# playing the kernel's part of binding and logging every write.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

t_fast_path_touches_nothing() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	domain other 0000:00:1f.3 > "$TMP/other.xml"
	PTHOOK_SYSFS=/nonexistent PTHOOK_STATE_DIR=/nonexistent/state STDIN=$TMP/other.xml \
		run other prepare begin -
	rc_is 0
	[ -z "$OUT$ERR" ] || fail "output on the fast path: $OUT$ERR"
	# no PCI sysfs, no state dir, no socket: ask the kernel
	ASAN_OPTIONS=detect_leaks=0 PTHOOK_SYSFS=/sys strace -f -qq -e trace=openat,open,stat,newfstatat,connect,socket \
		-o "$TMP/strace" "$PTHOOK" other prepare begin - < "$TMP/other.xml" ||
		fail "fast path failed"
	grep -E '"/sys/|/run/pthook|/run/libvirt|connect\(|socket\(' \
		"$TMP/strace" && fail "fast path touched the host"
	# nor does it pay for loading libvirt, libxml2, libpci (SPEC §5.1)
	grep -E 'libvirt|libxml2|libpci|pthook-core' "$TMP/strace" && fail "fast path loaded the core"
	# a domain called like a command is still a hook call
	STDIN=$TMP/other.xml run list prepare begin -
	rc_is 0
	[ -z "$OUT" ] || fail "'list' domain treated as the list command"
}

t_prepare_detaches_group_mate_and_release_gives_it_back() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	[ -z "$OUT$ERR" ] || fail "prepare printed: $OUT$ERR"
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "1f.4 is on $(drv 0000:00:1f.4)"
	[ "$(drv 0000:00:1f.0)" = none ] || fail "1f.0 (no driver) was touched"
	[ "$(drv 0000:00:1f.3)" = snd_hda_intel ] || fail "the assigned device is libvirt's to detach"
	diff <(printf '%s\n' \
		"devices/pci0000:00/0000:00:1f.4/driver_override vfio-pci" \
		"bus/pci/drivers/i801_smbus/unbind 0000:00:1f.4" \
		"bus/pci/drivers_probe 0000:00:1f.4") "$EV" || fail "wrong writes or order"
	grep -qx "device 0000:00:1f.4 i801_smbus" "$PTHOOK_STATE_DIR/audio.state" || fail "no state record"
	grep -qx "guest 0000:00:1f.3 driver=snd_hda_intel" "$PTHOOK_STATE_DIR/audio.state" || fail "guest device not recorded"
	[ "$(stat -c %a "$PTHOOK_STATE_DIR")" = 700 ] || fail "state dir mode"
	: > "$EV"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "1f.4 not given back"
	[ -z "$(override 0000:00:1f.4)" ] || fail "driver_override left: $(override 0000:00:1f.4)"
	[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "state record left"
	# idempotent: again, nothing happens
	: > "$EV"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ -s "$EV" ] && fail "second release wrote: $(cat "$EV")"
	stop_world
}

t_actions_logged_to_the_journal_with_fields() {
	local j=$TMP/journal.sock
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	python3 "$ROOT/tests/tools/journald.py" "$j" "$TMP/journal" > "$TMP/jd.out" &
	local jd=$!
	for _ in $(seq 100); do grep -q ready "$TMP/jd.out" 2>/dev/null && break; sleep 0.02; done
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	PTHOOK_JOURNAL_SOCKET=$j STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	PTHOOK_JOURNAL_SOCKET=$j run -v release audio
	rc_is 0
	err_has "pthook: audio: release: give 0000:00:1f.4 back to i801_smbus"
	sleep 0.2
	kill "$jd"; wait "$jd" 2>/dev/null
	# one datagram per action, with the fields journalctl filters on
	python3 - "$TMP/journal" <<'PY' || fail "journal: $(cat "$TMP/journal")"
import sys
msgs = [dict(l.split("=", 1) for l in m.strip().splitlines())
        for m in open(sys.argv[1]).read().split("--\n") if m.strip()]
def one(**kw):
    hits = [m for m in msgs if all(m.get(k) == v for k, v in kw.items())]
    assert len(hits) == 1, (kw, msgs)
    return hits[0]
d = one(PTHOOK_ACTION="detach", PTHOOK_DEVICE="0000:00:1f.4", PTHOOK_DOMAIN="audio",
        PTHOOK_OP="prepare", SYSLOG_IDENTIFIER="pthook", PRIORITY="6")
assert "detach 0000:00:1f.4 from i801_smbus to vfio-pci" in d["MESSAGE"], d
one(PTHOOK_ACTION="reattach", PTHOOK_DEVICE="0000:00:1f.4", PTHOOK_OP="release")
PY
	stop_world
}

t_release_after_refused_prepare_touches_nothing() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 0000:03:00.0 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "pthook: audio: hostdev 0000:03:00.0 holds 0000:03:00.0 8086:10d3"
	err_has "run: pthook apply --vm audio"
	[ -s "$EV" ] && fail "refused prepare wrote: $(cat "$EV")"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ -s "$EV" ] && fail "release wrote: $(cat "$EV")"
	stop_world
}

t_stale_definition_one_line_per_difference() {
	PTHOOK_CONFIG=$(config '[vm "gpu"]
pci = 10de:1b81 subsystem=1043:85f4')
	world twins
	domain gpu 0000:01:00.0 0000:0a:00.0 > "$TMP/g.xml"
	STDIN=$TMP/g.xml run gpu prepare begin -
	rc_is 1
	err_lines 2
	err_has "pthook: gpu: definition lacks 0000:01:00.1 10de:10f0"
	err_has "pthook: gpu: hostdev 0000:0a:00.0: no such device on this host"
	stop_world
}

t_held_by_another_vm() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG
[vm \"other\"]
pci = 8086:7aa3
group = detach")
	world twins
	domain other 0000:00:1f.4 > "$TMP/o.xml"
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/o.xml run other prepare begin -
	rc_is 0
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "held by running VM 'other'"
	# a device another VM only has assigned (libvirt detaches it) counts too
	PTHOOK_CONFIG=$(config '[vm "other"]
pci = 8086:10d3 slot=3
[vm "nic"]
pci = 8086:10d3 all')
	domain other 0000:03:00.0 > "$TMP/o2.xml"
	domain nic 0000:03:00.0 0000:04:00.0 > "$TMP/n.xml"
	STDIN=$TMP/o.xml run other release end -
	STDIN=$TMP/o2.xml run other prepare begin -
	rc_is 0
	STDIN=$TMP/n.xml run nic prepare begin -
	rc_is 1
	err_has "0000:03:00.0 8086:10d3"
	err_has "held by running VM 'other'"
	PTHOOK_CONFIG=$(config "$AUDIO_CFG
[vm \"other\"]
pci = 8086:7aa3
group = detach")
	STDIN=$TMP/o.xml run other release end -
	rc_is 0
	# libvirt's view: a running domain's status file
	mkdir -p "$PTHOOK_LIBVIRT_RUN"
	{ echo "<domstatus state='running'>"; domain web 0000:00:1f.4; echo "</domstatus>"; } \
		> "$PTHOOK_LIBVIRT_RUN/web.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "held by running VM 'web'"
	stop_world
}

t_hostdev_interface_counts_as_passthrough() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "nic"]
pci = 8086:10d3 slot=4
[vm "other"]
pci = 8086:10d3 all')
	world twins
	# the interface is the NIC the rule names: a clean start, no second hostdev
	iface nic 0000:04:00.0 > "$TMP/n.xml"
	STDIN=$TMP/n.xml run nic prepare begin -
	rc_is 0
	[ -z "$ERR" ] || fail "prepare said: $ERR"
	# held while nic runs, like any hostdev
	iface other 0000:04:00.0 > "$TMP/o.xml"
	STDIN=$TMP/o.xml run other prepare begin -
	rc_is 1
	err_has "held by running VM 'nic'"
	STDIN=$TMP/n.xml run nic release end -
	# an interface handing over the host's NVMe is refused, naming it
	iface nic 10000:e1:00.0 > "$TMP/w.xml"
	STDIN=$TMP/w.xml run nic prepare begin -
	rc_is 1
	err_has "hostdev 10000:e1:00.0 holds 10000:e1:00.0 144d:a808"
	# and in libvirt's view of a running domain too
	mkdir -p "$PTHOOK_LIBVIRT_RUN"
	{ echo "<domstatus state='running'>"; iface web 0000:03:00.0; echo "</domstatus>"; } \
		> "$PTHOOK_LIBVIRT_RUN/web.xml"
	domain other 0000:03:00.0 > "$TMP/o2.xml"
	STDIN=$TMP/o2.xml run other prepare begin -
	rc_is 1
	err_has "held by running VM 'web'"
	stop_world
}

t_migrate_begin_moves_in_place_for_libvirt() {
	PTHOOK_CONFIG=$(config '[vm "nic"]
pci = 8086:10d3 slot=4')
	world twins
	# defined on a host where the NIC sat at 09:00.0
	cat > "$TMP/m.xml" <<'XML'
<domain type='kvm'>
  <name>nic</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/></source>
      <boot order='1'/>
      <rom bar='off'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </hostdev>
  </devices>
</domain>
XML
	STDIN=$TMP/m.xml run nic migrate begin -
	rc_is 0
	echo "$OUT" > "$TMP/m-out.xml"
	grep -q 'bus="0x04" slot="0x00" function="0x0"/></source>' "$TMP/m-out.xml" || fail "not moved: $OUT"
	grep -q '<boot order="1"/>' "$TMP/m-out.xml" && grep -q '<rom bar="off"/>' "$TMP/m-out.xml" &&
		grep -q 'bus="0x00" slot="0x07"' "$TMP/m-out.xml" || fail "settings lost: $OUT"
	# libvirt's own parser takes what libvirt will define on this host
	virsh -q -c test:///default define "$TMP/m.xml" > /dev/null || fail "libvirt refuses the input"
	virsh -q -c test:///default define "$TMP/m-out.xml" > "$TMP/v.out" 2>&1 ||
		fail "libvirt refuses the migrated definition: $(cat "$TMP/v.out")"
	stop_world
}

t_long_named_vm_holds_what_it_has() {
	# a name too long for a file name is hashed; its record still counts
	local long; long="win 10 $(printf 'é%.0s' $(seq 40))"
	PTHOOK_CONFIG=$(config "$AUDIO_CFG
[vm \"$long\"]
pci = 8086:7aa3
group = detach")
	world twins
	domain "$long" 0000:00:1f.4 > "$TMP/l.xml"
	STDIN=$TMP/l.xml run "$long" prepare begin -
	rc_is 0
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 1
	err_has "held by running VM '$long'"
	STDIN=$TMP/l.xml run "$long" release end -
	rc_is 0
	[ -z "$(ls "$PTHOOK_STATE_DIR"/*.state 2>/dev/null)" ] || fail "record left"
	stop_world
}

t_unmanaged_hostdev_detached_by_pthook() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "nic"]
pci = 8086:10d3 slot=4
managed = no')
	world twins
	domain nic 0000:04:00.0:no > "$TMP/n.xml"
	STDIN=$TMP/n.xml run nic prepare begin -
	rc_is 0
	[ "$(drv 0000:04:00.0)" = vfio-pci ] || fail "managed='no' device not detached"
	STDIN=$TMP/n.xml run nic release end -
	[ "$(drv 0000:04:00.0)" = e1000e ] || fail "not given back"
	stop_world
}

t_crash_mid_prepare_then_release() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	STALL=0000:00:1f.4 world twins	# vfio-pci never takes it: pthook waits
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	"$PTHOOK" audio prepare begin - < "$TMP/a.xml" 2>/dev/null &
	local pid=$!
	for _ in $(seq 100); do grep -q drivers_probe "$EV" && break; sleep 0.02; done
	grep -qx "device 0000:00:1f.4 i801_smbus" "$PTHOOK_STATE_DIR/audio.state" ||
		fail "device touched before it was recorded"
	kill -9 $pid; wait $pid 2>/dev/null
	[ "$(drv 0000:00:1f.4)" = none ] || fail "expected 1f.4 half-way (unbound)"
	run release audio
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "release did not restore 1f.4: $(drv 0000:00:1f.4)"
	[ -z "$(override 0000:00:1f.4)" ] || fail "driver_override left"
	run release audio
	rc_is 0
	unset STALL
	stop_world
}

t_crash_between_two_detaches() {
	# the ISA bridge is wanted; both other functions of group 8 must go
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "isa"]
pci = 8086:7a84
group = detach')
	STALL=0000:00:1f.4 world twins
	domain isa 0000:00:1f.0 > "$TMP/i.xml"
	"$PTHOOK" isa prepare begin - < "$TMP/i.xml" 2>/dev/null &
	local pid=$!
	for _ in $(seq 100); do grep -q 'drivers_probe 0000:00:1f.4' "$EV" && break; sleep 0.02; done
	kill -9 $pid; wait $pid 2>/dev/null
	[ "$(drv 0000:00:1f.3)" = vfio-pci ] || fail "first detach not done before the kill"
	grep -q "device 0000:00:1f.3 snd_hda_intel" "$PTHOOK_STATE_DIR/isa.state" &&
	grep -q "device 0000:00:1f.4 i801_smbus" "$PTHOOK_STATE_DIR/isa.state" ||
		fail "both devices must be on record before the first is touched"
	run release isa
	rc_is 0
	[ "$(drv 0000:00:1f.3)" = snd_hda_intel ] || fail "1f.3 not restored"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "1f.4 not restored"
	unset STALL
	stop_world
}

t_eight_hooks_at_once() {
	local inv=$TMP/synth.inv i cfg='[global]
detach = sysfs' slots
	"$TOOLS/synthhost" 800 > "$inv"
	slots=($(awk -F'\t' '$3 == "8086:10d3" {print $8}' "$inv" | head -8))
	[ ${#slots[@]} = 8 ] || { fail "synthetic host has ${#slots[@]} NICs"; return; }
	SYS=$TMP/synth-sys; "$TOOLS/fakesys" "$inv" "$SYS"
	EV=$TMP/ev8.log; : > "$EV"
	"$TOOLS/fakekernel" "$SYS" "$inv" "$EV" > "$TMP/fk8.out" & FK=$!
	for _ in $(seq 100); do grep -q ready "$TMP/fk8.out" && break; sleep 0.02; done
	export PTHOOK_SYSFS=$SYS PTHOOK_STATE_DIR=$TMP/state8 PTHOOK_LIBVIRT_RUN=$TMP/none8
	for i in 0 1 2 3 4 5 6 7; do	# one NIC each, managed='no': pthook binds it
		cfg="$cfg
[vm \"v$i\"]
pci = 8086:10d3 slot=${slots[$i]}
managed = no"
	done
	PTHOOK_CONFIG=$(config "$cfg")
	nic() { awk -F'\t' -v s="$1" '$3 == "8086:10d3" && $8 == s {print $1}' "$inv"; }
	local pids=()
	for i in 0 1 2 3 4 5 6 7; do
		domain v$i "$(nic "${slots[$i]}"):no" > "$TMP/v$i.xml"
		"$PTHOOK" v$i prepare begin - < "$TMP/v$i.xml" 2> "$TMP/v$i.err" & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a prepare failed: $(cat "$TMP"/v*.err)"; done
	[ "$(ls "$PTHOOK_STATE_DIR"/*.state | wc -l)" = 8 ] || fail "state records lost"
	pids=()
	for i in 0 1 2 3 4 5 6 7; do
		[ "$(drv "$(nic "${slots[$i]}")")" = vfio-pci ] || fail "v$i's NIC not detached"
		"$PTHOOK" v$i release end - < "$TMP/v$i.xml" & pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "a release failed"; done
	for i in 0 1 2 3 4 5 6 7; do
		[ "$(drv "$(nic "${slots[$i]}")")" = e1000e ] || fail "v$i's NIC not given back"
	done
	[ -z "$(ls "$PTHOOK_STATE_DIR"/*.state 2>/dev/null)" ] || fail "records left"
	stop_world
}

t_driver_override_that_cannot_be_written() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	# the device vanishes (or sysfs refuses) between the scan and the write
	rm "$SYS/devices/pci0000:00/0000:00:1f.4/driver_override"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_lines 1
	err_has "cannot detach 0000:00:1f.4"
	err_has "driver_override"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "left moved"
	[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "record left"
	stop_world
}

t_hostile_domain_names() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	export PTHOOK_STATE_DIR=$TMP/state-names PTHOOK_SYSFS=/nonexistent
	mkdir -p "$PTHOOK_STATE_DIR"; chmod 700 "$PTHOOK_STATE_DIR"
	echo "device 0000:00:1f.4 none" > "$TMP/victim.state"
	local name
	for name in "../victim" "a/b" $'two\nlines' "$(printf 'x%.0s' $(seq 300))" ".."; do
		run "$name" prepare begin -
		rc_is 0	# not configured: the fast path
		run "$name" release end -
		rc_is 0
		run release "$name"
		rc_is 0
	done
	[ -f "$TMP/victim.state" ] || fail "a name escaped the state dir"
	[ -z "$(ls -A "$PTHOOK_STATE_DIR" | grep -v '^lock$')" ] || fail "files made: $(ls "$PTHOOK_STATE_DIR")"
}

t_failed_detach_rolls_back() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "audio"]
pci = 8086:7ad0
group = detach')
	# 1f.4 cannot be bound to vfio-pci: the run fails and leaves nothing
	STALL=0000:00:1f.4 world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_lines 1
	err_has "pthook: audio: cannot detach 0000:00:1f.4"
	err_has "nothing was left detached"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "not rolled back: $(drv 0000:00:1f.4)"
	[ -e "$PTHOOK_STATE_DIR/audio.state" ] && fail "record left after rollback"
	unset STALL
	stop_world
}

t_migrate_and_restore_print_rewritten_xml() {
	PTHOOK_CONFIG=$(config "$(cat "$ROOT/etc/examples/pthook.ini")")
	world intel-z690-desktop
	# the audio element's address holds nothing here: moved in place
	sed "s/bus='0x03' slot='0x00' function='0x1'/bus='0x09' slot='0x00' function='0x1'/" \
		"$ROOT/etc/examples/win10.xml" > "$TMP/w.xml"
	STDIN=$TMP/w.xml run win10 migrate begin -
	rc_is 0
	out_has 'bus="0x04" slot="0x00" function="0x1"'
	out_lacks 'bus="0x09" slot="0x00" function="0x1"'
	STDIN=$TMP/w.xml run win10 restore begin -
	rc_is 0
	out_has 'bus="0x04" slot="0x00" function="0x1"'
	# where it holds another device, an add and a remove would change the
	# guest: refused, nothing printed for libvirt to take
	STDIN=$ROOT/etc/examples/win10.xml run win10 migrate begin -
	rc_is 1
	[ -z "$OUT" ] || fail "printed a definition: $OUT"
	err_has "pthook: win10: migrate: hostdev 0000:03:00.1 of the incoming definition"
	for op in "start begin" "started begin" "stopped end" "reconnect begin" "attach begin" "prepare end"; do
		STDIN=$ROOT/etc/examples/win10.xml run win10 $op -
		rc_is 0
		[ -z "$OUT$ERR" ] || fail "$op printed something"
	done
	[ -s "$EV" ] && fail "ops wrote to sysfs"
	stop_world
}

t_broken_config_blocks_only_named_domains() {
	PTHOOK_CONFIG=$(config '[vm "audio"]
pci = nonsense')
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 2
	err_lines 1
	err_has "pthook: audio: $PTHOOK_CONFIG:2:"
	STDIN=$TMP/a.xml run other prepare begin -
	rc_is 0
}

t_unsafe_state_dir_refused() {
	PTHOOK_CONFIG=$(config "$AUDIO_CFG")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	mkdir -p "$TMP/real"; chmod 700 "$TMP/real"
	ln -s "$TMP/real" "$TMP/link"
	PTHOOK_STATE_DIR=$TMP/link STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_has "is a symlink"
	mkdir -p "$TMP/open"; chmod 777 "$TMP/open"
	PTHOOK_STATE_DIR=$TMP/open STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_has "writable by nobody else (it is uid 0, mode 0777)"
	[ -s "$EV" ] && fail "devices touched"
	# what a tmpfiles.d entry makes is fine (#13)
	mkdir -p "$TMP/tmpfiles"; chmod 755 "$TMP/tmpfiles"
	PTHOOK_STATE_DIR=$TMP/tmpfiles STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	PTHOOK_STATE_DIR=$TMP/tmpfiles STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	stop_world
}

t_two_hooks_racing_for_one_group() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "a"]
pci = 8086:7ad0
group = detach
[vm "b"]
pci = 8086:7aa3
group = detach')
	world twins
	domain a 0000:00:1f.3 > "$TMP/a.xml"
	domain b 0000:00:1f.4 > "$TMP/b.xml"
	"$PTHOOK" a prepare begin - < "$TMP/a.xml" 2> "$TMP/a.err" & local pa=$!
	"$PTHOOK" b prepare begin - < "$TMP/b.xml" 2> "$TMP/b.err" & local pb=$!
	wait $pa; local ra=$?
	wait $pb; local rb=$?
	[ "$((ra + rb))" = 1 ] && [ "$ra" -le 1 ] && [ "$rb" -le 1 ] ||
		fail "exit codes $ra and $rb: exactly one must win"
	cat "$TMP/a.err" "$TMP/b.err" | grep -q "held by running VM" || fail "loser not told why"
	stop_world
}

# A libvirt that accepts and never answers, as during autostart.
t_libvirt_deadline_and_fallback() {
	silent_socket "$TMP/silent.sock"
	PTHOOK_CONFIG=$(config "[global]
uri = qemu+unix:///system?socket=$TMP/silent.sock
detach = libvirt
timeout = 1
[vm \"audio\"]
pci = 8086:7ad0
group = detach")
	world twins
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	local t0=$SECONDS
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 3
	err_has "libvirt (qemu+unix:///system?socket=$TMP/silent.sock) did not answer within 1 s"
	[ $((SECONDS - t0)) -le 4 ] || fail "took $((SECONDS - t0)) s"
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "device left moved"
	PTHOOK_CONFIG=$(config "$(sed 's/detach = libvirt/detach = auto/' "$PTHOOK_CONFIG")")
	STDIN=$TMP/a.xml run audio prepare begin -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = vfio-pci ] || fail "auto did not fall back to sysfs"
	STDIN=$TMP/a.xml run audio release end -
	rc_is 0
	[ "$(drv 0000:00:1f.4)" = i801_smbus ] || fail "not given back"
	kill $SILENT
	stop_world
}

run_tests
