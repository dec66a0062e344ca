#!/bin/bash
# SR-IOV (SPEC §3 vf=, numvfs=) on tests/hosts/sriov.inv: VFs named by
# their PF's identity, VFs created when missing (tests/tools/fakekernel
# plays the kernel's sriov_numvfs), and PFs never taken while a VF is in
# use.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

PF0=0000:3b:00.0 PF1=0000:3b:00.1 PF2=0000:5e:00.0 PF3=0000:5e:00.1

# check_says RC VM TEXT...: `check VM` on $sys with $cfg exits RC and
# says each TEXT on stderr
check_says() {
	local rc=$1 vm=$2 t; shift 2
	run --sysfs "$sys" -c "$cfg" check "$vm"
	rc_is "$rc"
	for t in "$@"; do err_has "$t"; done
}

t_vf_named_by_pf_on_identical_cards() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "router"]
pci = 8086:1572 slot=2 index=0 vf=3 interface
[vm "fw"]
pci = 8086:1572 serial=00-00-00-ff-ff-3b-fe-a0 index=1 vf=1
[vm "vague"]
pci = 8086:1572 slot=2 vf=0')
	run --sysfs "$sys" -c "$cfg" check -v router fw
	rc_is 0
	out_has "router: rule '8086:1572 slot=2 index=0 vf=3 interface' (line 2) selects 0000:5e:02.3 8086:154c"
	out_has "VF 3 of $PF2 8086:1572"
	out_has "fw: rule '8086:1572 serial=00-00-00-ff-ff-3b-fe-a0 index=1 vf=1' (line 4) selects 0000:3b:0a.1"
	out_has "VF 1 of $PF1 8086:1572"
	# the candidates are the PFs: the two ports of the card, not its VFs
	check_says 1 vague "is ambiguous, 2 devices match" \
		"$PF2 8086:1572" \
		"$PF3 8086:1572"
	# the interface form, at the VF's address
	echo "<domain type='test'><name>router</name><memory>65536</memory><os><type>hvm</type></os><devices/></domain>" > "$TMP/r.xml"
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/r.xml"
	rc_is 1	# the definition lacks the VF: stale for a start
	err_has "definition lacks 0000:5e:02.3 8086:154c"
	out_has '<interface type="hostdev" managed="yes">'
	out_has 'bus="0x5e" slot="0x02" function="0x3"'
	echo "$OUT" > "$TMP/r2.xml"
	virsh -q -c test:///default define "$TMP/r2.xml" > /dev/null 2>&1 ||
		fail "libvirt's parser refuses: $(virsh -c test:///default define "$TMP/r2.xml" 2>&1)"
}

t_list_shows_vfs_under_their_pf() {
	local sys; sys=$(host sriov)
	run --sysfs "$sys" list
	rc_is 0
	out_has "$PF0  020000  8086:1572"
	out_has "[SR-IOV PF: 4 of 32 VFs]"
	out_has "[SR-IOV PF: 0 of 32 VFs]"
	# indented under the PF, with the VF index and its own group
	grep -A1 "^  $PF0 " <<<"$OUT" | grep -q "^    0000:3b:02.0 .*\[VF 0, IOMMU group 11\]" ||
		fail "VF 0 not under its PF: $OUT"
	grep -q '^IOMMU group 11$' <<<"$OUT" && fail "a VF's group listed apart from its PF"
	run --sysfs "$sys" list --json
	python3 -c '
import json, sys
d = {x["address"]: x for g in json.load(open(sys.argv[1]))["groups"] for x in g["devices"]}
v = d["0000:3b:02.3"]
assert (v["pf"], v["vf"]) == ("0000:3b:00.0", 3), v
assert d["0000:3b:00.0"]["sriov"] == {"totalvfs": 32, "numvfs": 4}
assert d["0000:00:17.0"]["sriov"] is None and d["0000:00:17.0"]["pf"] is None
' "$TMP/out" || fail "list --json: pf/vf/sriov wrong"
}

t_missing_vf_refused_with_the_count() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "few"]
pci = 8086:1572 slot=1 index=1 vf=7
[vm "toomany"]
pci = 8086:1572 slot=1 index=0 vf=40
[vm "none"]
pci = 8086:1572 slot=2 index=1 vf=3
[vm "sata"]
pci = 8086:a182 vf=0')
	check_says 1 few "wants VF 7 of $PF1 8086:1572" \
		"which has 4 VFs (VF 0 to 3)"
	check_says 1 toomany "which can have at most 32 VFs"
	check_says 1 none "which has no VFs (at most 32)" \
		"add numvfs=4 to the rule, or create them: echo 4 > /sys/bus/pci/devices/$PF3/sriov_numvfs"
	check_says 1 sata "which has no SR-IOV (no sriov_totalvfs)"
	# VFs are made through the PF's driver: an unbound PF cannot have any
	rm "$sys/bus/pci/devices/$PF3/driver"
	cfg=$(config '[vm "make"]
pci = 8086:1572 slot=2 index=1 vf=0 numvfs=2')
	check_says 1 make "would create VFs on $PF3 8086:1572" \
		"which no driver drives"
}

t_numvfs_creates_vfs_at_prepare() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "make"]
pci = 8086:1572 slot=2 index=1 vf=2 numvfs=4')
	world sriov
	echo "<domain type='kvm'><name>make</name><devices/></domain>" > "$TMP/e.xml"
	run check -v make
	rc_is 0
	out_has "make: create 4 VFs on $PF3"
	[ "$(cat "$SYS/bus/pci/devices/$PF3/sriov_numvfs")" = 0 ] || fail "check created VFs"
	# the first start makes them; the empty definition is then stale
	STDIN=$TMP/e.xml run make prepare begin -
	rc_is 1
	err_has "definition lacks 0000:5e:08.3 8086:154c"
	grep -qx "devices/pci0000:00/$PF3/sriov_numvfs 4" "$EV" || fail "no sriov_numvfs write: $(cat "$EV")"
	[ "$(readlink "$SYS/bus/pci/devices/$PF3/virtfn2")" = ../0000:5e:08.3 ] || fail "no VF 2"
	# the definition that names VF 2 starts, and pthook takes it (managed='no')
	domain make 0000:5e:08.3:no > "$TMP/m.xml"
	STDIN=$TMP/m.xml run make prepare begin -
	rc_is 0
	[ "$(drv 0000:5e:08.3)" = vfio-pci ] || fail "VF on $(drv 0000:5e:08.3)"
	STDIN=$TMP/m.xml run make release end -
	[ "$(drv 0000:5e:08.3)" = iavf ] || fail "VF back on $(drv 0000:5e:08.3)"
	# the PF has VFs now: never written again
	STDIN=$TMP/m.xml run make prepare begin -
	rc_is 0
	[ "$(grep -c sriov_numvfs "$EV")" = 1 ] || fail "sriov_numvfs written again: $(cat "$EV")"
	STDIN=$TMP/m.xml run make release end -
	stop_world
}

t_apply_creates_the_vfs_it_needs_addresses_of() {
	PTHOOK_CONFIG=$(config '[vm "make"]
pci = 8086:1572 slot=2 index=1 vf=2 numvfs=4 interface')
	world sriov
	cat > "$TMP/node.xml" <<-EOF
	<node><domain type='test'><name>make</name><memory>65536</memory>
	<os><type>hvm</type></os><devices/></domain></node>
	EOF
	local uri=test://$TMP/node.xml
	run apply --connect "$uri" --dry-run --backup-dir "$TMP/bk"
	rc_is 0
	out_has "make: 4 VFs to create on $PF3 (numvfs=4)"
	out_has "make: not changed (--dry-run)"
	[ -e "$SYS/bus/pci/devices/$PF3/virtfn0" ] && fail "--dry-run created VFs"
	run apply --connect "$uri" -y --backup-dir "$TMP/bk" --debug-xml "$TMP/dbg.xml"
	rc_is 0
	out_has "make: defined"
	grep -q 'bus="0x5e" slot="0x08" function="0x3"' "$TMP/dbg-make.xml" ||
		fail "VF 2 not in the definition: $(cat "$TMP/dbg-make.xml")"
	grep -qx "devices/pci0000:00/$PF3/sriov_numvfs 4" "$EV" || fail "no sriov_numvfs write"
	stop_world
}

t_numvfs_never_resizes() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "more"]
pci = 8086:1572 slot=1 index=0 vf=2 numvfs=8
[vm "beyond"]
pci = 8086:1572 slot=1 index=0 vf=5 numvfs=8
[vm "a"]
pci = 8086:1572 slot=2 index=1 vf=0 numvfs=2
pci = 8086:1572 slot=2 index=1 vf=1 numvfs=4')
	check_says 0 more "$PF0 8086:1572 Intel Corporation Ethernet Controller X710 for 10GbE SFP+ has 4 VFs, not the numvfs=8"
	check_says 1 beyond "which has 4 VFs (VF 0 to 3)"
	# two rules, two counts for one PF
	check_says 1 a "ask for 4 and 2 VFs on $PF3"
}

t_pf_never_taken_while_a_vf_is_in_use() {
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "vfvm"]
pci = 8086:1572 slot=1 index=0 vf=1
[vm "pfvm"]
pci = 8086:1572 slot=1 index=0
[vm "both"]
pci = 8086:1572 slot=1 index=1
pci = 8086:1572 slot=1 index=1 vf=0')
	world sriov
	domain vfvm 0000:3b:02.1 > "$TMP/v.xml"
	domain pfvm $PF0 > "$TMP/p.xml"
	STDIN=$TMP/v.xml run vfvm prepare begin -
	rc_is 0
	STDIN=$TMP/p.xml run pfvm prepare begin -
	rc_is 1
	err_has "$PF0 8086:1572"
	err_has "is the PF of 0000:3b:02.1, which running VM 'vfvm' holds"
	[ "$(drv $PF0)" = i40e ] || fail "PF moved to $(drv $PF0)"
	STDIN=$TMP/v.xml run vfvm release end -
	# free again: it may go, with a warning that its VFs go with it
	run check pfvm
	rc_is 0
	err_has "taking $PF0 8086:1572"
	err_has "from i40e removes its 4 VFs"
	run check both
	rc_is 1
	err_has "and its VF 0000:3b:0a.0 both go to the VM"
	stop_world
}

t_vf_in_host_use_makes_its_pf_critical() {
	local sys; sys=$(host sriov)
	local proc=$TMP/proc-$RANDOM
	mkdir -p "$proc/self" "$proc/net" "$sys/class/net/eth0"
	: > "$proc/self/mountinfo"
	# the default route leaves through a VF of port 0 of the second card
	ln -s ../../../devices/pci0000:00/0000:5e:02.0 "$sys/class/net/eth0/device"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' > "$proc/net/route"
	local cfg; cfg=$(config '[vm "pf"]
pci = 8086:1572 slot=2 index=0
[vm "vf"]
pci = 8086:1572 slot=2 index=0 vf=0
[vm "sibling"]
pci = 8086:1572 slot=2 index=0 vf=1')
	PTHOOK_PROC=$proc run --sysfs "$sys" -c "$cfg" check pf
	rc_is 1
	err_has "$PF2 8086:1572"
	err_has "is host-critical: its VF 0000:5e:02.0 is in use by the host (it carries the default route (eth0))"
	PTHOOK_PROC=$proc run --sysfs "$sys" -c "$cfg" check vf
	rc_is 1
	err_has "0000:5e:02.0 8086:154c"
	err_has "is host-critical: it carries the default route (eth0)"
	# another VF of that PF is free to go
	PTHOOK_PROC=$proc run --sysfs "$sys" -c "$cfg" check sibling
	rc_is 0
}

t_vf_element_rewritten_in_place_when_its_pf_moved() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "router"]
pci = 8086:1572 slot=2 index=0 vf=3')
	# written when the card sat on bus 0x3c: that address is empty now
	iface router 0000:3c:02.3 > "$TMP/old.xml"
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/old.xml"
	rc_is 1	# stale for a start; migrate and apply rewrite it so
	out_has '<mac address="52:54:00:12:34:56"/>'
	out_has '<vlan><tag id="7"/></vlan>'
	out_has 'bus="0x5e" slot="0x02" function="0x3"'
	out_lacks '0x3c' 
	err_has "0000:3c:02.3 → 0000:5e:02.3, in place: MAC 52:54:00:12:34:56, VLAN 7 kept"
	[ "$(grep -c '<interface' <<<"$OUT")" = 1 ] || fail "not one interface: $OUT"
}

run_tests
