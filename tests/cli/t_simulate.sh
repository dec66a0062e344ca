#!/bin/bash
# pthook --simulate: the hook's dry run on domain XML.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/etc/examples

z690() {
	SYS=$(host intel-z690-desktop)
	CFG=$(config "$(cat "$ROOT/etc/examples/pthook.ini")")
}

t_simulate_stale_definition() {
	z690
	run --sysfs "$SYS" -c "$CFG" --simulate "$EX/win10.xml"
	rc_is 1
	echo "$OUT" > "$TMP/new.xml"
	python3 "$ROOT/tests/cli/xmlcheck.py" "$EX/win10.xml" "$TMP/new.xml" || fail "more than hostdevs changed"
	err_has "win10: rule '1002:67ff' (line 17) selects 0000:04:00.0"
	err_has "pthook: win10: definition lacks 0000:04:00.1 1002:aae0"
	err_has "pthook: win10: hostdev 0000:03:00.1 holds 0000:03:00.1 1002:ab28"
	err_has "run: pthook apply --vm win10"
	# the diff: passthrough lines only (pthook's metadata among them)
	err_has "--- domain XML (given)"
	sed -n '/^@@/,$p' <<<"$ERR" | grep '^[-+]' | grep -vE '^[-+] *(<hostdev mode="subsystem" type="pci"|</hostdev>|<source>|</source>|<address domain=|</?metadata>|</?pthook:)' &&
		fail "diff shows more than hostdev lines"
	# kept hostdev untouched; USB hostdev, comments, namespace, UTF-8 too
	out_has '<rom bar="on" file="/usr/share/vgabios/rx560.rom"/>'
	out_has '<alias name="ua-gpu"/>'
	out_has '<address type="pci" domain="0x0000" bus="0x06" slot="0x00" function="0x0" multifunction="on"/>'
	out_has '<vendor id="0x046d"/>'
	out_has '<!-- the GPU: ROM dumped from the card, guest slot pinned -->'
	out_has "<qemu:arg value=\"opt/ovmf/X-PciMmio64Mb,string=65536\"/>"
	out_has "café edition"
	out_lacks "&#x"
	out_lacks "<?xml"
	out_lacks 'bus="0x03" slot="0x00" function="0x1"'
}

t_simulate_is_idempotent() {
	z690
	run --sysfs "$SYS" -c "$CFG" --simulate "$EX/win10.xml"
	echo "$OUT" > "$TMP/once.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/once.xml"
	rc_is 0
	echo "$OUT" > "$TMP/twice.xml"
	cmp -s "$TMP/once.xml" "$TMP/twice.xml" || fail "second pass changed the XML"
	grep -q '^[-+]' <<<"$ERR" && fail "second pass shows a diff"
	run --sysfs "$SYS" -c "$CFG" --json --simulate "$TMP/once.xml"
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["verdict"]=="start" and d["add"]==[] and d["remove"]==[] and d["errors"]==[], d' "$OUT" ||
		fail "json of the rewritten XML is not a clean start"
}

t_simulate_json() {
	z690
	STDIN=$EX/win10.xml run --sysfs "$SYS" -c "$CFG" --simulate - --json
	rc_is 1
	python3 - "$TMP/out" "$EX/win10.xml" <<'PY' || fail "json wrong"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) >= {"vm", "configured", "verdict", "assign", "detach", "add", "remove", "errors", "xml"}, d.keys()
assert d["vm"] == "win10" and d["configured"] is True and d["verdict"] == "refuse"
assert d["assign"] == ["0000:04:00.0", "0000:04:00.1"]
assert d["detach"] == [] and d["add"] == ["0000:04:00.1"] and d["remove"] == ["0000:03:00.1"]
assert len(d["errors"]) == 2 and all(e.startswith("pthook: win10: ") for e in d["errors"])
assert 'bus="0x04" slot="0x00" function="0x1"' in d["xml"]
PY
}

t_simulate_unconfigured_vm() {
	z690
	sed 's|<name>win10</name>|<name>other</name>|' "$EX/win10.xml" > "$TMP/other.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/other.xml"
	rc_is 0
	err_has "pthook: other: not in $CFG"
	echo "$OUT" > "$TMP/out.xml"
	[ "$(xmllint --c14n "$TMP/other.xml")" = "$(xmllint --c14n "$TMP/out.xml")" ] || fail "XML changed"
	run --sysfs /nonexistent -c "$CFG" --simulate "$TMP/other.xml" --json
	rc_is 0	# no sysfs needed for a domain the config does not name
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["configured"] is False and d["verdict"]=="start"' "$OUT" ||
		fail "json for an unconfigured VM"
}

t_simulate_group_assign_and_detach() {
	local sys cfg; sys=$(host twins)
	cat > "$TMP/vm.xml" <<'XML'
<domain type='kvm'>
  <name>gpu</name>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='1' slot='0' function='0'/>
      </source>
    </hostdev>
  </devices>
</domain>
XML
	cfg=$(config '[vm "gpu"]
pci = 10de:1b81 subsystem=1043:85f4')
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/vm.xml" --json
	rc_is 1
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["add"]==["0000:01:00.1"] and d["remove"]==[], d' "$OUT" ||
		fail "multifunction GPU: audio not added"
	cfg=$(config '[vm "gpu"]
pci = 8086:7ad0
group = detach')
	sed 's/bus=.1. slot=.0. function=.0./bus="0" slot="0x1f" function="3"/' "$TMP/vm.xml" > "$TMP/vm2.xml"
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/vm2.xml" --json
	rc_is 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["detach"]==["0000:00:1f.4"] and d["assign"]==["0000:00:1f.3"], d' "$OUT" ||
		fail "group = detach"
}

# migrate/restore rewrite sources in place only: libvirt checks the
# result against the incoming definition (SPEC §5.4, issue #20)
t_simulate_migrate_keeps_the_guest_abi() {
	z690
	# the audio element names 03:00.1, which holds another card's audio
	# here: it cannot be rewritten in place, and an add plus a remove
	# would change the guest's devices
	run --sysfs "$SYS" -c "$CFG" --simulate "$EX/win10.xml" --op migrate
	rc_is 1
	err_has "pthook: win10: migrate: this host would give the guest 0000:04:00.1 too, which the incoming definition lacks"
	err_has "pthook: win10: migrate: hostdev 0000:03:00.1 of the incoming definition stands for no device a rule names here"
	# where its address holds nothing here, it moves in place
	sed "s/bus='0x03' slot='0x00' function='0x1'/bus='0x09' slot='0x00' function='0x1'/" \
		"$EX/win10.xml" > "$TMP/moved.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/moved.xml" --op migrate
	rc_is 0
	out_has 'bus="0x04" slot="0x00" function="0x1"'
	out_lacks "bus='0x09'"
	run --sysfs "$SYS" -c "$CFG" --simulate "$EX/win10.xml" --op started
	rc_is 0
	out_has "bus='0x03' slot='0x00' function='0x1'"	# untouched: byte for byte
	cmp -s <(printf '%s\n' "$OUT") "$EX/win10.xml" || fail "not echoed byte for byte"
}

t_simulate_bad_xml() {
	z690
	printf '<domain><name>win10</name><devices>' > "$TMP/trunc.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/trunc.xml"
	rc_is 2; err_lines 1; err_has "domain XML: line"
	head -c 1000 /dev/urandom > "$TMP/garbage.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/garbage.xml"
	rc_is 2; err_lines 1
	cat > "$TMP/laughs.xml" <<'XML'
<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<domain><name>&b;</name></domain>
XML
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/laughs.xml"
	rc_is 2; err_lines 1; err_has "DOCTYPE"
	# the same in UTF-16: no byte search sees it, the parsed document does
	iconv -f UTF-8 -t UTF-16 "$TMP/laughs.xml" > "$TMP/laughs16.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/laughs16.xml"
	rc_is 2; err_lines 1; err_has "DOCTYPE"
	{ printf '<domain><name>x</name><description>'; head -c $((17 << 20)) /dev/zero | tr '\0' a; printf '</description></domain>'; } > "$TMP/huge.xml"
	run --sysfs "$SYS" -c "$CFG" --simulate "$TMP/huge.xml"
	rc_is 2; err_lines 1; err_has "larger than 16 MiB"
	run --sysfs "$SYS" -c "$CFG" --simulate /nonexistent.xml
	rc_is 2; err_has "/nonexistent.xml"
}

t_simulate_broken_config_blocks_only_what_it_names() {
	local cfg; z690
	cfg=$(config '[vm "win10"]
pci = 1002:67ff
pci = bogus
[vm "other"]')
	run --sysfs "$SYS" -c "$cfg" --simulate "$EX/win10.xml"
	rc_is 2; err_lines 1; err_has "pthook: win10: $cfg:3:"
	sed 's|<name>win10</name>|<name>third</name>|' "$EX/win10.xml" > "$TMP/third.xml"
	run --sysfs "$SYS" -c "$cfg" --simulate "$TMP/third.xml"
	rc_is 0
	chmod 666 "$cfg"	# unsafe: every VM it names is blocked, only those
	run --sysfs "$SYS" -c "$cfg" --simulate "$EX/win10.xml"
	rc_is 2; err_has "mode 0666"
	run --sysfs "$SYS" -c "$cfg" --simulate "$TMP/third.xml"
	rc_is 0
}

run_tests
