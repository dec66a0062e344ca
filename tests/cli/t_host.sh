#!/bin/bash
# pthook check --host (issue #29): can this host pass devices through at
# all?  Fake trees laid out as the kernel lays them out: ACPI tables under
# /sys/firmware/acpi/tables, groups under /sys/kernel/iommu_groups, the
# interrupt chips in /proc/interrupts, vfio_iommu_type1's parameters
# under /sys/module, the kernel's module lists in /lib/modules/RELEASE.
. "$(dirname "$0")/lib.sh"

# ready_world: twins with everything right (VT-d on, intel_iommu=on,
# interrupt remapping, vfio-pci bound); sets SYS PROC MODS
ready_world() {
	SYS=$(host twins)
	PROC=$TMP/proc-$RANDOM MODS=$TMP/mods-$RANDOM
	mkdir -p "$SYS/firmware/acpi/tables" "$PROC" "$MODS" \
		"$SYS/module/vfio_iommu_type1/parameters"
	: > "$SYS/firmware/acpi/tables/DMAR"
	echo "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=2b5c ro quiet intel_iommu=on iommu=pt" > "$PROC/cmdline"
	cat > "$PROC/interrupts" <<'EOF'
            CPU0       CPU1
   8:          0          0  IR-IO-APIC    8-edge      rtc0
   9:          0          0  IR-IO-APIC    9-fasteoi   acpi
 120:          0         42  DMAR-MSI    0-edge      dmar0
 121:        816          0  IR-PCI-MSI-0000:00:17.0    0-edge      ahci[0000:00:17.0]
NMI:          0          0   Non-maskable interrupts
EOF
	echo N > "$SYS/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
	printf 'kernel/drivers/vfio/pci/vfio-pci.ko: kernel/drivers/vfio/pci/vfio-pci-core.ko kernel/drivers/vfio/vfio.ko\n' > "$MODS/modules.dep"
	: > "$MODS/modules.builtin"
	export PTHOOK_PROC=$PROC PTHOOK_MODULES=$MODS
}

host_check() { run --sysfs "$SYS" -c "$(config "${1:-}")" check --host; }

t_a_ready_host_says_so() {
	ready_world
	host_check
	rc_is 0
	out_has "host: IOMMU on, 14 groups, interrupt remapping on, vfio-pci loaded; 0 problems, 0 warnings"
	[ -z "$ERR" ] || fail "findings on a ready host: $ERR"
}

t_iommu_off_in_kernel_or_firmware() {
	ready_world
	rm -rf "$SYS/kernel/iommu_groups"/*
	sed -i 's/ intel_iommu=on//' "$PROC/cmdline"
	host_check
	rc_is 1
	err_has "pthook: host: the firmware has VT-d on (ACPI DMAR table) but the kernel did not turn the IOMMU on (no IOMMU groups): add intel_iommu=on to GRUB_CMDLINE_LINUX in /etc/default/grub"
	out_has "host: IOMMU off, 0 groups"
	sed -i 's/ quiet/ quiet intel_iommu=off/' "$PROC/cmdline"
	host_check
	err_has "intel_iommu=off is on the kernel command line: take it out"
	rm "$SYS/firmware/acpi/tables/DMAR"
	host_check
	rc_is 1
	err_has "no IOMMU: the firmware has no DMAR (Intel VT-d) or IVRS (AMD-Vi) ACPI table; turn VT-d or AMD-Vi (\"IOMMU\") on in the firmware setup"
	# AMD: IVRS, groups there, nothing to say about intel_iommu
	ready_world
	rm "$SYS/firmware/acpi/tables/DMAR"; : > "$SYS/firmware/acpi/tables/IVRS"
	sed -i 's/ intel_iommu=on//' "$PROC/cmdline"
	host_check
	rc_is 0
}

t_interrupt_remapping() {
	ready_world
	sed -i 's/IR-//' "$PROC/interrupts"
	host_check
	rc_is 1
	err_has "pthook: host: no interrupt remapping (no IR- interrupt chips in /proc/interrupts): vfio_iommu_type1 refuses to assign devices"
	echo Y > "$SYS/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
	host_check
	rc_is 0
	err_has "pthook: host: warning: no interrupt remapping (no IR- interrupt chips in /proc/interrupts), and allow_unsafe_interrupts lets devices through anyway: a guest can forge interrupts"
	ready_world
	echo Y > "$SYS/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
	host_check
	err_has "allow_unsafe_interrupts is set, and not needed"
}

t_acs_override_said_on_every_line_it_affects() {
	ready_world
	sed -i 's/$/ pcie_acs_override=downstream,multifunction/' "$PROC/cmdline"
	host_check
	rc_is 0
	err_has "pthook: host: warning: pcie_acs_override=downstream,multifunction is on the kernel command line: the IOMMU groups are what the override made, not isolation"
	run --sysfs "$SYS" list
	out_has "IOMMU group 5 (pcie_acs_override=downstream,multifunction: the override's group, not isolation)"
	[ "$(grep -c '^IOMMU group' <<<"$OUT")" = "$(grep -c "the override's group" <<<"$OUT")" ] ||
		fail "a group without the note: $OUT"
	run --sysfs "$SYS" list --json
	grep -q '"acs_override": "downstream,multifunction"' <<<"$OUT" || fail "json: $OUT"
	run --sysfs "$SYS" -c "$(config '[vm "gpu"]
pci = 10de:1b81 subsystem=1462:3302')" check
	err_has "pthook: gpu: warning: IOMMU group 3 of 0000:02:00.0 is what pcie_acs_override=downstream,multifunction made, not isolation the hardware gives"
	[ "$(grep -c 'pcie_acs_override' <<<"$ERR")" = 1 ] || fail "not once a group: $ERR"
	# without it, no word of it
	ready_world
	run --sysfs "$SYS" list
	out_lacks "pcie_acs_override"
}

t_vfio_pci_available() {
	ready_world
	rm -rf "$SYS/bus/pci/drivers/vfio-pci"
	host_check
	rc_is 0
	out_has "vfio-pci a module"
	: > "$MODS/modules.dep"
	host_check
	rc_is 1
	err_has "pthook: host: vfio-pci is not loaded, not built in, and not among the kernel's modules"
	echo "kernel/drivers/vfio/pci/vfio-pci.ko" > "$MODS/modules.builtin"
	host_check
	rc_is 0
	out_has "vfio-pci loaded"
}

t_devices_without_a_reset() {
	ready_world
	echo "flr bus" > "$SYS/bus/pci/devices/0000:04:00.0/reset_method"
	host_check '[vm "a"]
pci = 8086:10d3 slot=3
[vm "b"]
pci = 8086:10d3 slot=4'
	rc_is 0
	err_has "pthook: host: warning: 0000:03:00.0 8086:10d3 Intel Corporation 82574L Gigabit Network Connection offers no reset (no reset_method or reset in sysfs)"
	grep -q "0000:04:00.0" <<<"$ERR" && fail "04:00.0 has FLR: $ERR"
	true
}

run_tests
