#!/bin/bash
# pthook list: the inventory, by IOMMU group, against fake sysfs trees.
. "$(dirname "$0")/lib.sh"

t_list_json_matches_every_inventory() {
	local inv name sys
	for inv in "$HOSTS"/*.inv; do
		name=$(basename "$inv" .inv)
		sys=$(host "$name")
		run --sysfs "$sys" list --json
		rc_is 0
		echo "$OUT" > "$TMP/$name.json"
		python3 "$ROOT/tests/cli/inv_vs_json.py" "$inv" "$TMP/$name.json" ||
			fail "$name: list --json disagrees with the inventory"
	done
}

t_list_synthetic_host_with_sriov_and_domains() {
	local sys=$TMP/synth
	"$TOOLS/synthhost" 5000 > "$TMP/synth.inv"
	grep -q '^10000:' "$TMP/synth.inv" || fail "generator made no second PCI domain"
	grep -q 'X540 VF' "$TMP/synth.inv" || fail "generator made no SR-IOV VF"
	"$TOOLS/fakesys" "$TMP/synth.inv" "$sys"
	run --sysfs "$sys" list --json
	rc_is 0
	python3 "$ROOT/tests/cli/inv_vs_json.py" "$TMP/synth.inv" "$TMP/out" ||
		fail "list --json disagrees with the synthetic inventory"
	# identical NICs: slot tells them apart, index picks by address order
	local cfg; cfg=$(config '[vm "a"]
pci = 8086:10d3 slot=6
[vm "b"]
pci = 8086:10d3 index=1')
	run --sysfs "$sys" -c "$cfg" check -v
	rc_is 1	# both rules pick the same NIC: a conflict
	out_has "a: rule '8086:10d3 slot=6' (line 2) selects 0000:06:00.0"
	out_has "b: rule '8086:10d3 index=1' (line 4) selects 0000:06:00.0"
	err_has "claimed by both a and b"
}

t_list_text_groups_then_ungrouped() {
	local sys; sys=$(host twins)
	run --sysfs "$sys" list
	rc_is 0
	out_has "IOMMU group 1"
	# ungrouped devices come last
	[ "$(grep -E '^(IOMMU group|no IOMMU group)' <<<"$OUT" | tail -1)" = "no IOMMU group" ] ||
		fail "ungrouped block is not last"
	grep -A3 '^no IOMMU group' <<<"$OUT" | grep -q '0000:00:18.0' || fail "00:18.0 not ungrouped"
	out_has "10000:e1:00.0"
	out_has "[bridge]"
}

t_list_names_come_from_pci_ids() {
	local sys; sys=$(host twins)
	run --sysfs "$sys" list --json
	python3 - "$TMP/out" <<'PY' || fail "name not from pci.ids"
import json, sys
d = {x["address"]: x for g in json.load(open(sys.argv[1]))["groups"] for x in g["devices"]}
assert "82574L" in d["0000:03:00.0"]["name"], d["0000:03:00.0"]["name"]
assert d["0000:03:00.0"]["name"].startswith("Intel Corporation")
PY
}

t_list_shows_serial_with_verbose() {
	local sys; sys=$(host twins)
	run --sysfs "$sys" list -v
	out_has "[serial 00-1b-21-ff-ff-00-00-02]"
	run --sysfs "$sys" list
	out_lacks "[serial"
	# a config space that cannot be read means no serial, not a crash
	rm "$sys/devices/pci0000:00/0000:04:00.0/config"
	run --sysfs "$sys" list -v
	rc_is 0
	out_has "[serial 00-1b-21-ff-ff-00-00-01]"
	out_lacks "00-1b-21-ff-ff-00-00-02"
}

t_list_claims_and_vm_filter() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4
[vm "nas"]
pci = 8086:10d3 slot=4
group = detach')
	run --sysfs "$sys" -c "$cfg" list --json
	rc_is 0
	python3 - "$TMP/out" <<'PY' || fail "claims wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
d = {x["address"]: x for g in doc["groups"] for x in g["devices"]}
assert d["0000:01:00.0"]["vm"] == "win10"
assert d["0000:01:00.1"]["vm"] == "win10"   # pulled in by its group
assert d["0000:00:01.0"]["vm"] is None      # the root port is a bridge
assert d["0000:04:00.0"]["vm"] == "nas"
assert d["0000:03:00.0"]["vm"] is None
PY
	run --sysfs "$sys" -c "$cfg" list nas
	rc_is 0
	out_has "0000:04:00.0"
	out_lacks "0000:01:00.0"
	out_lacks "0000:03:00.0"
	run --sysfs "$sys" -c "$cfg" list nosuchvm
	rc_is 2
	err_has 'no [vm "nosuchvm"] section'
}

t_list_missing_sysfs() {
	run --sysfs /nonexistent list
	rc_is 3
	err_lines 1
	err_has "cannot read /nonexistent/bus/pci/devices"
	PTHOOK_SYSFS=/nonexistent2 run list
	rc_is 3
	err_has "/nonexistent2/bus/pci/devices"
}

t_list_garbage_vendor() {
	local sys; sys=$(host twins)
	sed -i 's/^PCI_ID=.*/PCI_ID=ZZ10:1B81/' "$sys/devices/pci0000:00/0000:03:00.0/uevent"
	run --sysfs "$sys" list
	rc_is 3
	err_lines 1
	err_has "0000:03:00.0: bad uevent line \"PCI_ID=ZZ10:1B81\""
	# without a uevent (an old kernel) the single files, as strict
	rm "$sys/devices/pci0000:00/0000:03:00.0/uevent"
	echo "0xzz10" > "$sys/devices/pci0000:00/0000:03:00.0/vendor"
	run --sysfs "$sys" list
	rc_is 3
	err_lines 1
	err_has "0000:03:00.0: bad vendor"
}

# A tree without uevent files lists as one with them.
t_list_without_uevent_is_the_same() {
	local sys a; sys=$(host twins)
	run --sysfs "$sys" list --json; a=$OUT
	find "$sys/devices" -name uevent -delete
	run --sysfs "$sys" list --json
	rc_is 0
	[ "$OUT" = "$a" ] || fail "list differs without uevent: $(diff <(echo "$a") <(echo "$OUT") | head -5)"
}

t_list_vanished_device() {
	local sys; sys=$(host twins)
	rm -rf "$sys/devices/pci0000:00/0000:04:00.0"
	run --sysfs "$sys" list
	rc_is 3
	err_lines 1
	err_has "0000:04:00.0"
	err_has "went away"
}

t_list_missing_iommu_group_is_ungrouped() {
	local sys; sys=$(host twins)
	rm "$sys/devices/pci0000:00/0000:03:00.0/iommu_group"
	run --sysfs "$sys" list --json
	rc_is 0
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(x["address"]=="0000:03:00.0" for x in d["ungrouped"])' "$TMP/out" ||
		fail "03:00.0 not ungrouped"
}

t_usage_errors() {
	run frobnicate
	rc_is 2
	err_has "unknown command 'frobnicate'"
	run list --bogus
	rc_is 2
	err_lines 1
	run list -y
	rc_is 2
	run
	rc_is 2
	run --version
	rc_is 0
	out_has "pthook "
	run -c /nonexistent/pthook.ini list
	rc_is 2
	err_has "/nonexistent/pthook.ini"
}

run_tests
