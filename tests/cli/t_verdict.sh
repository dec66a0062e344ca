#!/bin/bash
# SPEC §7, one verdict: the hook's prepare, --simulate and check decide
# through one function over the same inputs (config, host, what running
# VMs hold in every form libvirt writes, pthook's records, input rules).
# Every refusal case below goes through all three: none says start where
# another refuses, and their refusal lines are the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"
. "$(dirname "$0")/inputlib.sh"

# status VM XML-OF-DEVICES: libvirt's status file of a running domain, as
# libvirt writes it (<domstatus> around the live definition)
status() {
	mkdir -p "$PTHOOK_LIBVIRT_RUN"
	cat > "$PTHOOK_LIBVIRT_RUN/$1.xml" <<XML
<domstatus state='running' reason='booted' pid='4242'>
  <taint flag='high-privileges'/>
  <monitor path='/var/lib/libvirt/qemu/domain-1-$1/monitor.sock' type='unix'/>
  <domain type='kvm' id='1'>
    <name>$1</name>
    <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>
    <memory unit='KiB'>1048576</memory>
    <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
    <devices>
$2
    </devices>
  </domain>
</domstatus>
XML
}

# errors_of VM: VM's refusal lines in $ERR (not warnings, not plan steps;
# check's lines about two sections at once are check's own)
errors_of() { grep "^pthook: $1: " <<<"$ERR" | grep -v ': warning: ' | sort; }

# judge VM XML CONFIG: the three verdicts; fails unless all three refuse
# with the same lines (check: those that need no definition)
judge() {
	local vm=$1 xml=$2 sim pre chk
	PTHOOK_CONFIG=$(config "$3")
	STDIN=$xml run "$vm" prepare begin -
	pre=$RC; local pre_err; pre_err=$(errors_of "$vm")
	run -c "$PTHOOK_CONFIG" --simulate "$xml"
	sim=$RC; local sim_err; sim_err=$(errors_of "$vm")
	run -c "$PTHOOK_CONFIG" check "$vm"
	chk=$RC; local chk_err; chk_err=$(errors_of "$vm")
	[ "$pre" = 1 ] && [ "$sim" = 1 ] && [ "${CHECK:-1}" = "$chk" ] ||
		fail "$vm: prepare $pre, --simulate $sim, check $chk: $pre_err / $sim_err / $chk_err"
	[ -n "$pre_err" ] || fail "$vm: prepare refused without a line"
	[ "$pre_err" = "$sim_err" ] || fail "$vm: prepare said: $pre_err; --simulate said: $sim_err"
	if [ "${CHECK:-1}" = 1 ]; then
		[ "$pre_err" = "$chk_err" ] || fail "$vm: prepare said: $pre_err; check said: $chk_err"
	fi
	REFUSAL=$pre_err
}

nic_xml() { domain nic 0000:03:00.0 > "$TMP/nic.xml"; echo "$TMP/nic.xml"; }
NIC='[global]
detach = sysfs
[vm "nic"]
pci = 8086:10d3 slot=3'

t_held_as_a_hostdev() {
	world twins
	status web "<hostdev mode='subsystem' type='pci' managed='yes'>
  <driver name='vfio'/>
  <source><address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source>
  <alias name='hostdev0'/>
  <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
</hostdev>"
	judge nic "$(nic_xml)" "$NIC"
	grep -q "held by running VM 'web'" <<<"$REFUSAL" || fail "not refused for web: $REFUSAL"
	stop_world
}

# A VF a running VM took from a libvirt hostdev network: <interface
# type='network'> whose <actual type='hostdev'> names it.
t_held_through_a_hostdev_network() {
	world twins
	status web "<interface type='network'>
  <mac address='52:54:00:6d:90:02'/>
  <source network='sriov-pool' portid='3ec6a16e-0b8d-4b7b-9c35-9f6f2b8c5f6e' bridge=''/>
  <actual type='hostdev' managed='yes'>
    <source>
      <address type='pci' domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
    </source>
  </actual>
  <driver name='vfio'/>
  <alias name='hostdev0'/>
  <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
</interface>
<interface type='network'>
  <mac address='52:54:00:6d:90:03'/>
  <source network='default' portid='0d9d0e7c-6bb2-4b60-a68d-0f5b6e5d2a33' bridge='virbr0'/>
  <actual type='network'>
    <source bridge='virbr0'/>
  </actual>
  <target dev='vnet0'/>
  <model type='virtio'/>
  <alias name='net0'/>
</interface>"
	judge nic "$(nic_xml)" "$NIC"
	grep -q "held by running VM 'web'" <<<"$REFUSAL" || fail "not refused for web: $REFUSAL"
	# and its PF guard sees it too: the PF of a VF web holds (sriov host)
	stop_world
}

t_held_as_an_nvme_disk() {
	world twins
	status db "<disk type='nvme' device='disk'>
  <driver name='qemu' type='raw'/>
  <source type='pci' managed='yes' namespace='1'>
    <address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>
  </source>
  <target dev='vda' bus='virtio'/>
  <alias name='virtio-disk0'/>
</disk>"
	judge nic "$(nic_xml)" "$NIC"
	grep -q "held by running VM 'db'" <<<"$REFUSAL" || fail "not refused for db: $REFUSAL"
	stop_world
}

t_held_by_pthook_for_another_vm() {
	local cfg='[global]
detach = sysfs
[vm "other"]
pci = 8086:7ad0
group = detach
[vm "nic"]
pci = 8086:7aa3'
	world twins
	PTHOOK_CONFIG=$(config "$cfg")
	domain other 0000:00:1f.3 > "$TMP/o.xml"
	STDIN=$TMP/o.xml run other prepare begin -
	rc_is 0
	domain nic 0000:00:1f.0 0000:00:1f.3 0000:00:1f.4 > "$TMP/n.xml"
	judge nic "$TMP/n.xml" "$cfg"
	grep -q "held by running VM 'other'" <<<"$REFUSAL" || fail "$REFUSAL"
	STDIN=$TMP/o.xml run other release end -
	stop_world
}

t_protected_ambiguous_strict() {
	world twins
	judge nic "$(nic_xml)" "[global]
protect = class=0200
[vm \"nic\"]
pci = 8086:10d3 slot=3"
	grep -q "is protected by 'protect = class=0200'" <<<"$REFUSAL" || fail "$REFUSAL"
	domain nic > "$TMP/e.xml"
	judge nic "$TMP/e.xml" '[vm "nic"]
pci = 8086:10d3'
	grep -q "ambiguous" <<<"$REFUSAL" || fail "$REFUSAL"
	domain audio 0000:00:1f.3 > "$TMP/a.xml"
	judge audio "$TMP/a.xml" '[vm "audio"]
pci = 8086:7ad0
group = strict'
	stop_world
}

# A device an earlier release kept on vfio-pci because it read ffff
# (the record's 'kept'), still dead: no start hands it to a guest.
t_a_device_kept_dead() {
	world twins
	PTHOOK_CONFIG=$(config "$NIC")
	STDIN=$(nic_xml) run nic prepare begin -
	rc_is 0
	# the guest broke it: config space reads all ones, and release keeps it
	printf '\377\377\377\377' | dd of="$SYS/bus/pci/devices/0000:03:00.0/config" conv=notrunc status=none
	STDIN=$TMP/nic.xml run nic release end -
	grep -q '^kept' "$PTHOOK_STATE_DIR/nic.state" 2>/dev/null ||
		grep -q 'kept' "$PTHOOK_STATE_DIR"/nic.* || fail "not kept: $(cat "$PTHOOK_STATE_DIR"/* 2>&1)"
	judge nic "$TMP/nic.xml" "$NIC"
	grep -q "did not survive the last run" <<<"$REFUSAL" || fail "$REFUSAL"
	stop_world
}

t_input_rule_in_error() {
	world twins
	input_world "$SYS"
	domain laptop > "$TMP/l.xml"
	judge laptop "$TMP/l.xml" '[vm "laptop"]
input = kind=keyboard'
	grep -q "'input = kind=keyboard' is ambiguous" <<<"$REFUSAL" || fail "$REFUSAL"
	stop_world
}

# event14 is the host's mouse now, grab='all', and the rule names the
# laptop keyboard: the guest would grab the mouse.  check has no
# definition: it sees the rule resolve, and says so.
t_evdev_element_of_the_wrong_device() {
	world twins
	input_world "$SYS"
	evdev 14 0003 046d:c08b mouse "Logitech G502 HERO Gaming Mouse" usb-0000:00:14.0-4/input0
	node 14
	cat > "$TMP/l.xml" <<'XML'
<domain type='kvm'><name>laptop</name><devices>
<input type='evdev'><source dev='/dev/input/event14' grab='all' repeat='on'/></input>
</devices></domain>
XML
	CHECK=0 judge laptop "$TMP/l.xml" '[vm "laptop"]
input = name="AT Translated Set 2 keyboard"'
	grep -q "<input type='evdev'> /dev/input/event14 opens event14 'Logitech G502 HERO Gaming Mouse'" <<<"$REFUSAL" ||
		fail "$REFUSAL"
	grep -q "pthook apply --vm laptop" <<<"$REFUSAL" || fail "$REFUSAL"
	# gone altogether
	sed -i 's/event14/event15/' "$TMP/l.xml"
	CHECK=0 judge laptop "$TMP/l.xml" '[vm "laptop"]
input = name="AT Translated Set 2 keyboard"'
	grep -q "/dev/input/event15: no such device now" <<<"$REFUSAL" || fail "$REFUSAL"
	stop_world
}

# and the other way: what one lets start, all let start
t_a_clean_start_is_a_start_everywhere() {
	world twins
	input_world "$SYS"
	PTHOOK_CONFIG=$(config "$NIC")
	run -c "$PTHOOK_CONFIG" --simulate "$(nic_xml)"
	rc_is 0
	run -c "$PTHOOK_CONFIG" check nic
	rc_is 0
	STDIN=$TMP/nic.xml run nic prepare begin -
	rc_is 0
	STDIN=$TMP/nic.xml run nic release end -
	stop_world
}

run_tests
