#!/bin/bash
# The host-critical guard (SPEC §7) on a fake tree with a fake /proc:
# a root filesystem on LVM over NVMe, a swap file, the default route on a
# bridge over a NIC, the boot VGA device.
. "$(dirname "$0")/lib.sh"

setup() {
	SYS=$(host twins)
	PROC=$TMP/proc-$RANDOM
	mkdir -p "$PROC/self" "$PROC/net"
	export PTHOOK_PROC=$PROC
	# / on dm-0, whose slave is an NVMe partition behind VMD
	local nvme=devices/pci10000:00/10000:e1:00.0/nvme/nvme0/nvme0n1/nvme0n1p2
	mkdir -p "$SYS/$nvme" "$SYS/devices/virtual/block/dm-0/slaves/nvme0n1p2" "$SYS/dev/block"
	echo 259:2 > "$SYS/devices/virtual/block/dm-0/slaves/nvme0n1p2/dev"
	ln -s "../../$nvme" "$SYS/dev/block/259:2"
	ln -s ../../devices/virtual/block/dm-0 "$SYS/dev/block/253:0"
	echo "29 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw" > "$PROC/self/mountinfo"
	echo "30 29 0:5 / /proc rw - proc proc rw" >> "$PROC/self/mountinfo"
	# swap in a file: its filesystem's device is the SATA controller's disk
	: > "$TMP/swapfile"
	local dev; dev=$(stat -c '%Hd:%Ld' "$TMP/swapfile")
	mkdir -p "$SYS/devices/pci0000:00/0000:00:17.0/ata1/host0/block/sda"
	ln -s ../../devices/pci0000:00/0000:00:17.0/ata1/host0/block/sda "$SYS/dev/block/$dev"
	printf 'Filename\tType\tSize\tUsed\tPriority\n%s\tfile\t1024\t0\t-2\n' "$TMP/swapfile" > "$PROC/swaps"
	# default route on br0, a bridge over eth0 = the NIC in slot 3
	mkdir -p "$SYS/class/net/br0" "$SYS/class/net/eth0"
	ln -s ../../../devices/pci0000:00/0000:03:00.0 "$SYS/class/net/eth0/device"
	ln -s ../eth0 "$SYS/class/net/br0/lower_eth0"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nbr0\t00000000\t0102A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' > "$PROC/net/route"
	# the ASUS GTX 1070 is the boot VGA device, nouveau drives the console
	echo 1 > "$SYS/devices/pci0000:00/0000:01:00.0/boot_vga"
}

t_each_critical_device_refused_with_its_reason() {
	setup
	local cfg; cfg=$(config '[vm "nvme"]
pci = 144d:a808
[vm "sata"]
pci = class=0106
[vm "nic"]
pci = 8086:10d3 slot=3
[vm "gpu"]
pci = 10de:1b81 subsystem=1043:85f4')
	run --sysfs "$SYS" -c "$cfg" check
	rc_is 1
	err_has "pthook: nvme: 10000:e1:00.0 144d:a808"
	err_has "host-critical: it backs / (mounted filesystem)"
	err_has "pthook: sata: 0000:00:17.0 8086:7ae2"
	err_has "it backs active swap $TMP/swapfile"
	err_has "pthook: nic: 0000:03:00.0 8086:10d3"
	err_has "it carries the default route (br0)"
	err_has "pthook: gpu: 0000:01:00.0 10de:1b81"
	err_has "boot VGA device and the host's nouveau driver"
	out_has "0 ok, 4 refused"
}

t_force_on_the_rule_overrides() {
	setup
	local cfg; cfg=$(config '[vm "nvme"]
pci = 144d:a808 force')
	run --sysfs "$SYS" -c "$cfg" check nvme
	rc_is 0
}

t_hook_refuses_a_critical_device_before_touching_anything() {
	setup
	export PTHOOK_CONFIG PTHOOK_SYSFS=$SYS PTHOOK_STATE_DIR=$TMP/state PTHOOK_LIBVIRT_RUN=$TMP/none
	PTHOOK_CONFIG=$(config '[vm "nic"]
pci = 8086:10d3 slot=3
managed = no')
	printf "<domain><name>nic</name><devices><hostdev mode='subsystem' type='pci' managed='no'><source><address bus='3' slot='0' function='0'/></source></hostdev></devices></domain>" > "$TMP/nic.xml"
	STDIN=$TMP/nic.xml run nic prepare begin -
	rc_is 1
	err_lines 1
	err_has "it carries the default route (br0)"
	[ "$(cat "$SYS/devices/pci0000:00/0000:03:00.0/driver_override")" = "(null)" ] || fail "touched"
	[ -e "$TMP/state/nic.state" ] && fail "recorded"
}

run_tests
