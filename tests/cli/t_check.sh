#!/bin/bash
# pthook check: lint the config against the host.
. "$(dirname "$0")/lib.sh"

t_check_good_config() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4
pci = 10de:10f0 subsystem=1043:85f4
[vm "nas"]
pci = 8086:10d3 serial=00-1b-21-ff-ff-00-00-02')
	run --sysfs "$sys" -c "$cfg" check -v
	rc_is 0
	out_has "2 VMs checked: 2 ok, 0 refused, 0 conflicts, 0 warnings"
	out_has "nas: rule '8086:10d3 serial=00-1b-21-ff-ff-00-00-02' (line 5) selects 0000:04:00.0"
	run --sysfs "$sys" -c "$cfg" check nas
	rc_is 0
	out_has "1 VM checked"
}

t_check_lists_every_config_error() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[global]
timeot = 5
[vm "a"]
pci = bogus
[VM "b"]')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 2
	err_lines 3
	err_has "$cfg:2: unknown key 'timeot'"
	err_has "$cfg:4: pci = bogus"
	err_has "$cfg:5: unknown section [VM \"b\"]"
}

t_check_refusals_exit_1() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "a"]
pci = 8086:10d3
[vm "b"]
pci = 10de:2204')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 1
	err_has "pthook: a: 'pci = 8086:10d3' is ambiguous, 2 devices match ($cfg:2)"
	err_has "tell them apart with slot= or serial="
	err_has "pthook: b: 'pci = 10de:2204' matches no device ($cfg:4)"
	out_has "2 VMs checked: 0 ok, 2 refused"
}

t_check_device_and_group_claimed_twice() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "a"]
pci = 8086:10d3 slot=3
[vm "b"]
pci = 8086:10d3 slot=3
[vm "c"]
pci = 8086:7ad0
group = detach
[vm "d"]
pci = 8086:7aa3
group = detach')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 1
	err_has "0000:03:00.0 8086:10d3"
	err_has "claimed by both a and b"
	err_has "IOMMU group 8 is split"
	# only the pair that conflicts, when asked about one VM
	run --sysfs "$sys" -c "$cfg" check a
	rc_is 1
	err_has "claimed by both a and b"
	grep -q "group 8" <<<"$ERR" && fail "reported c/d for 'check a'"
}

t_check_warns_address_rules_and_group_mates() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "a"]
pci = 0000:03:00.0
[vm "b"]
pci = 10de:1b81 subsystem=1462:3302')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 0
	err_has "pthook: a: warning: 'pci = 0000:03:00.0' names a bus address"
	err_has "pthook: b: warning: 0000:02:00.1 10de:10f0"
	err_has "shares IOMMU group 3 with 0000:02:00.0"
	out_has "2 warnings"
}

t_check_protected_device() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[global]
protect = class=0106
[vm "a"]
pci = 8086:7ae2')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 1
	err_has "0000:00:17.0 8086:7ae2"
	err_has "protected by 'protect = class=0106' ($cfg:2)"
}

t_check_config_errors_exit_2() {
	local sys cfg; sys=$(host twins)
	cfg=$(config '[vm "a"]
pci = vendor=10dg')
	run --sysfs "$sys" -c "$cfg" check
	rc_is 2
	err_lines 1
	err_has "pthook: $cfg:2: pci = vendor=10dg: vendor wants 4 hex digits"
	cfg=$(config '[vm "a"]
pci = 10de:1b81 index=0')
	chmod 666 "$cfg"
	run --sysfs "$sys" -c "$cfg" check
	rc_is 2
	err_lines 1
	err_has "mode 0666"
	PTHOOK_CONFIG=/nonexistent.ini run --sysfs "$sys" check
	rc_is 2
	err_has "/nonexistent.ini: cannot open the config"
	run --sysfs "$sys" -c "$cfg" check nosuch
	rc_is 2
}

t_check_missing_sysfs_exit_3() {
	local cfg; cfg=$(config '[vm "a"]
pci = 10de:1b81')
	run --sysfs /nonexistent -c "$cfg" check
	rc_is 3
	err_lines 1
}

# units = is the handoff's: alone it does nothing, and check says so
t_units_without_handoff_warns() {
	run --sysfs "$(host twins)" -c "$(config '[vm "a"]
pci = 8086:10d3 slot=3
units = gdm.service')" check
	rc_is 0
	err_has "pthook: a: warning: units = does nothing without console = handoff"
	run --sysfs "$(host twins)" -c "$(config '[vm "a"]
pci = 8086:10d3 slot=3
console = handoff
units = gdm.service')" check
	grep -q "units = does nothing" <<<"$ERR" && fail "warned with console = handoff"
	true
}

# what prepare refuses, check tells: a device a running VM holds
# (libvirt's status file of that domain)
t_device_a_running_vm_holds() {
	local sys; sys=$(host twins)
	mkdir -p "$TMP/lvrun"
	cat > "$TMP/lvrun/web.xml" <<'XML'
<domstatus state='running'><domain type='kvm'><name>web</name><devices>
<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/></source></hostdev>
</devices></domain></domstatus>
XML
	PTHOOK_LIBVIRT_RUN=$TMP/lvrun run --sysfs "$sys" -c "$(config '[vm "a"]
pci = 8086:10d3 slot=3
[vm "web"]
pci = 8086:10d3 slot=3')" check
	rc_is 1
	err_has "pthook: a: 0000:03:00.0 8086:10d3 Intel Corporation 82574L Gigabit Network Connection is held by running VM 'web'; stop that VM first"
	grep -q "web: .*held by" <<<"$ERR" && fail "web refused for what it holds itself: $ERR"
	true
}

# a section of USB rules alone leaves PCI alone (the plan takes none):
# nothing to warn about; one that names no device at all is a warning
t_sections_without_pci_rules() {
	run --sysfs "$(host twins)" -c "$(config '[vm "usbonly"]
usb = 046d:c52b
[vm "empty"]
hotplug = yes')" check
	grep -q "usbonly: warning" <<<"$ERR" && fail "usbonly warned: $ERR"
	err_has "pthook: empty: warning: the section names no device (no pci =, usb = or input = rule): pthook leaves this VM alone"
	true
}

run_tests
