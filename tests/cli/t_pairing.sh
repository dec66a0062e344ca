#!/bin/bash
# SPEC §4: a stale element and the new device that takes its place pair
# one to one and the element is rewritten in place, with or without
# pthook's metadata; several pair by least address difference; a tie is
# refused; an <interface type='hostdev'> stays an interface.
. "$(dirname "$0")/lib.sh"

# define FILE: libvirt's own parser accepts it
define() {
	virsh -q -c test:///default define "$1" > "$TMP/v.out" 2>&1 ||
		fail "libvirt refuses $1: $(cat "$TMP/v.out")"
}

# A hand-written definition (no metadata) for the ASUS GTX 1070 at 01:00,
# with the settings a GPU passthrough carries; the config names the MSI
# card of the same model at 02:00 by index.
t_gpu_swapped_for_its_twin_keeps_its_settings() {
	local sys; sys=$(host twins)
	local cfg; cfg=$(config '[vm "gpu"]
pci = 10de:1b81 index=1')
	cat > "$TMP/gpu.xml" <<'EOF'
<domain type='kvm'>
  <name>gpu</name>
  <memory>1048576</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
      </source>
      <rom file='/usr/share/vgabios/gtx1070.rom'/>
      <boot order='2'/>
      <alias name='ua-gpu'/>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0' multifunction='on'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source>
        <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>
      </source>
      <alias name='ua-gpu-audio'/>
      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x1'/>
    </hostdev>
  </devices>
</domain>
EOF
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/gpu.xml"
	rc_is 1	# stale for a start
	err_has "gpu: 0000:01:00.0 → 0000:02:00.0, in place: ROM /usr/share/vgabios/gtx1070.rom, boot order 2, alias ua-gpu, guest address (multifunction) kept"
	err_has "gpu: 0000:01:00.1 → 0000:02:00.1, in place: alias ua-gpu-audio, guest address kept"
	out_has "<rom file=\"/usr/share/vgabios/gtx1070.rom\"/>"
	out_has '<boot order="2"/>'
	out_has '<alias name="ua-gpu"/>'
	out_has 'bus="0x06" slot="0x00" function="0x0" multifunction="on"'
	out_has 'domain="0x0000" bus="0x02" slot="0x00" function="0x0"/>'
	out_lacks 'bus="0x01"'
	[ "$(grep -c '<hostdev' <<<"$OUT")" = 2 ] || fail "not two hostdevs: $OUT"
	# the diff: the two source addresses and pthook's metadata, nothing else
	sed -n '/^@@/,$p' <<<"$ERR" | grep '^[-+]' |
		grep -vE '^[-+] *(<address domain="0x0000" bus="0x0[12]"|</?metadata>|</?pthook:)' &&
		fail "the diff changes more than the sources"
	echo "$OUT" > "$TMP/out.xml"
	define "$TMP/out.xml"
}

# vf=2 of the PF replaces vf=1: the interface keeps everything
iface_vf() {
	cat <<EOF
<domain type='kvm'>
  <name>net</name>
  <memory>1048576</memory>
  <os><type arch='x86_64'>hvm</type></os>
  <devices>
$(cat)
  </devices>
</domain>
EOF
}

t_vf_replaced_by_a_sibling_stays_an_interface() {
	local sys rule; sys=$(host sriov)
	for rule in '8086:1572 slot=1 index=0 vf=2' '8086:1572 slot=1 index=0 vf=2 interface'; do
		local cfg; cfg=$(config "[vm \"net\"]
pci = $rule")
		iface_vf > "$TMP/net.xml" <<'EOF'
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:00:00:10'/>
      <driver name='vfio'/>
      <source>
        <address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/>
      </source>
      <vlan>
        <tag id='10'/>
      </vlan>
      <virtualport type='802.1Qbh'>
        <parameters profileid='finance'/>
      </virtualport>
      <teaming type='transient' persistent='ua-backup0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
EOF
		run --sysfs "$sys" -c "$cfg" --simulate "$TMP/net.xml"
		rc_is 1
		err_has "net: 0000:3b:02.1 → 0000:3b:02.2, in place: MAC 52:54:00:00:00:10, VLAN 10, port profile 802.1Qbh, driver settings, teaming transient, guest address kept"
		out_lacks '<hostdev'
		[ "$(grep -c '<interface type="hostdev"' <<<"$OUT")" = 1 ] || fail "not one interface: $OUT"
		out_has '<mac address="52:54:00:00:00:10"/>'
		out_has '<tag id="10"/>'
		out_has "<parameters profileid=\"finance\"/>"
		out_has '<teaming type="transient" persistent="ua-backup0"/>'
		out_has 'bus="0x3b" slot="0x02" function="0x2"'
		out_has 'bus="0x00" slot="0x07" function="0x0"'
	done
}

# Two VF interfaces written by pthook (metadata) when the card sat on bus
# 0x3c, in the opposite order to the rules; the bus is 0x3b now.  Each
# keeps its port's MAC and VLAN.
renumbered() {
	iface_vf <<EOF
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:00:00:20'/>
      <source>
        <address type='pci' domain='0x0000' bus='0x3c' slot='$1' function='0x3'/>
      </source>
      <vlan><tag id='20'/></vlan>
    </interface>
    <interface type='hostdev' managed='yes'>
      <mac address='52:54:00:00:00:10'/>
      <source>
        <address type='pci' domain='0x0000' bus='0x3c' slot='$2' function='0x1'/>
      </source>
      <vlan><tag id='10'/></vlan>
    </interface>
EOF
}

with_metadata() {
	sed "s|<devices>|<metadata><pthook:passthrough xmlns:pthook='urn:x-pthook:passthrough:1'>\
<pthook:device address='0000:3c:$1.3' id='8086:154c' subsystem='8086:0000'/>\
<pthook:device address='0000:3c:$2.1' id='8086:154c' subsystem='8086:0000'/>\
</pthook:passthrough></metadata><devices>|"
}

t_renumbered_bus_keeps_each_port_on_its_port() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "net"]
pci = 8086:1572 slot=1 index=1 vf=1
pci = 8086:1572 slot=1 index=1 vf=3')
	renumbered 0x0a 0x0a | with_metadata 0a 0a > "$TMP/net.xml"
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/net.xml"
	rc_is 1
	err_has "net: 0000:3c:0a.3 → 0000:3b:0a.3, in place: MAC 52:54:00:00:00:20, VLAN 20 kept"
	err_has "net: 0000:3c:0a.1 → 0000:3b:0a.1, in place: MAC 52:54:00:00:00:10, VLAN 10 kept"
	# in the XML: the :20 port on function 3, the :10 port on function 1
	tr -d '\n' <<<"$OUT" | grep -q '52:54:00:00:00:20"/>  *<source>  *<address type="pci" domain="0x0000" bus="0x3b" slot="0x0a" function="0x3"' ||
		fail "MAC :20 is not on 3b:0a.3: $OUT"
	tr -d '\n' <<<"$OUT" | grep -q '52:54:00:00:00:10"/>  *<source>  *<address type="pci" domain="0x0000" bus="0x3b" slot="0x0a" function="0x1"' ||
		fail "MAC :10 is not on 3b:0a.1: $OUT"
	echo "$OUT" > "$TMP/out.xml"
	define "$TMP/out.xml"
}

# VF 1 of each PF, and two elements at slots that neither is nearer to:
# refused, naming the elements, nothing guessed.
t_a_tie_is_refused_naming_the_elements() {
	local sys; sys=$(host sriov)
	local cfg; cfg=$(config '[vm "net"]
pci = 8086:1572 slot=1 index=0 vf=1
pci = 8086:1572 slot=1 index=1 vf=1')
	renumbered 0x05 0x06 | sed 's/function=.0x3./function="0x1"/' |
		sed "s|<devices>|<metadata><pthook:passthrough xmlns:pthook='urn:x-pthook:passthrough:1'>\
<pthook:device address='0000:3c:05.1' id='8086:154c' subsystem='8086:0000'/>\
<pthook:device address='0000:3c:06.1' id='8086:154c' subsystem='8086:0000'/>\
</pthook:passthrough></metadata><devices>|" > "$TMP/net.xml"
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/net.xml"
	rc_is 1
	err_has "pthook: net: hostdev elements 0000:3c:05.1 and 0000:3c:06.1 could each stand for 0000:3b:02.1 and 0000:3b:0a.1"
	err_has "pthook will not guess"
	grep -q '→' <<<"$ERR" && fail "a tie was paired: $ERR"
	# apply defines nothing from a plan with errors
	run --sysfs "$sys" -c "$cfg" --simulate "$TMP/net.xml" --json
	grep -q '"verdict": "refuse"' <<<"$OUT" || fail "no refusal in JSON: $OUT"
	grep -q 'could each stand for' <<<"$OUT" || fail "the tie is not among the errors: $OUT"
}

run_tests
