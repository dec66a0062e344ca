#!/bin/bash
# Who holds a device (issue #16, the holders part): processes with the
# device's DRM nodes or, for the nvidia driver, /dev/nvidia* open, on a
# fake /proc and /dev.  Refused before anything is touched; a node of
# another GPU does not count.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"

# proc_holds PID COMM PATH...: a fake process with those files open
proc_holds() {
	local pid=$1 comm=$2 i=3; shift 2
	mkdir -p "$PROC/$pid/fd"
	echo "$comm" > "$PROC/$pid/comm"
	for p in "$@"; do ln -sf "$p" "$PROC/$pid/fd/$i"; i=$((i + 1)); done
}

# devnode ADDR SUBDIR DEVNAME: what a driver makes below a function, a
# directory with a uevent naming its node, as the kernel writes it
devnode() {
	mkdir -p "$SYS/bus/pci/devices/$1/$2"
	printf 'MAJOR=226\nMINOR=0\nDEVNAME=%s\nDEVTYPE=minor\n' "$3" > "$SYS/bus/pci/devices/$1/$2/uevent"
}

# gpu_world: twins, both GTX 1070s with DRM nodes (card0/renderD128 the
# ASUS at 01:00.0, card1/renderD129 the MSI at 02:00.0)
gpu_world() {
	world twins
	export PTHOOK_PROC=$TMP/proc-$RANDOM PTHOOK_DEV=$TMP/dev-$RANDOM
	PROC=$PTHOOK_PROC DEV=$PTHOOK_DEV
	mkdir -p "$PROC" "$DEV/dri"
	devnode 0000:01:00.0 drm/card0 dri/card0; devnode 0000:01:00.0 drm/renderD128 dri/renderD128
	devnode 0000:02:00.0 drm/card1 dri/card1; devnode 0000:02:00.0 drm/renderD129 dri/renderD129
	: > "$DEV/dri/card0"; : > "$DEV/dri/renderD128"; : > "$DEV/dri/card1"; : > "$DEV/dri/renderD129"
	PTHOOK_CONFIG=$(config "$WIN10")
	domain win10 0000:01:00.0 0000:01:00.1 > "$TMP/w.xml"
}
WIN10='[global]
detach = sysfs
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4'

t_drm_node_of_the_gpu_held_is_refused() {
	gpu_world
	proc_holds 1234 Xorg "$DEV/dri/card0" /dev/null
	proc_holds 2345 firefox "$DEV/dri/renderD129"	# the other GPU's
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 1
	err_has "pthook: win10: 0000:01:00.0 is held by Xorg (pid 1234) via $DEV/dri/card0; stop it first"
	grep -q firefox <<<"$ERR" && fail "a render node of another GPU counted"
	[ -s "$EV" ] && fail "something was touched: $(cat "$EV")"
	# --simulate and check say the same
	run --simulate "$TMP/w.xml"
	rc_is 1
	err_has "held by Xorg (pid 1234)"
	run check
	err_has "held by Xorg (pid 1234)"
	# gone: the start goes through
	rm -rf "${PROC:?}/1234"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0
	stop_world
}

t_nvidia_nodes_held() {
	gpu_world
	# the ASUS card on the nvidia driver
	rm "$SYS/bus/pci/devices/0000:01:00.0/driver"
	mkdir -p "$SYS/bus/pci/drivers/nvidia"
	ln -s ../../../bus/pci/drivers/nvidia "$SYS/bus/pci/devices/0000:01:00.0/driver"
	: > "$DEV/nvidiactl"; : > "$DEV/nvidia0"; : > "$DEV/nvidia1"
	mkdir -p "$PROC/driver/nvidia/gpus/0000:01:00.0"
	printf 'Model: GeForce GTX 1070\nDevice Minor: 0\n' > "$PROC/driver/nvidia/gpus/0000:01:00.0/information"
	proc_holds 777 nvidia-persiste "$DEV/nvidiactl"
	proc_holds 778 cuda-job "$DEV/nvidia1"	# another GPU's minor
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 1
	err_has "0000:01:00.0 is held by nvidia-persiste (pid 777) via $DEV/nvidiactl"
	grep -q cuda-job <<<"$ERR" && fail "another GPU's /dev/nvidia1 counted"
	proc_holds 779 cuda-job2 "$DEV/nvidia0"
	STDIN=$TMP/w.xml run win10 prepare begin -
	err_has "held by cuda-job2 (pid 779) via $DEV/nvidia0"
	stop_world
}

# bars ADDR START-END...: the device's sysfs resource file, one BAR a range
bars() {
	local a=$1 r; shift
	for r in "$@"; do echo "0x${r%-*} 0x${r#*-} 0x0000000000040200"; done > "$SYS/bus/pci/devices/$a/resource"
	echo "0x0000000000000000 0x0000000000000000 0x0000000000000000" >> "$SYS/bus/pci/devices/$a/resource"
}

t_boot_framebuffer_in_a_bar_is_refused() {
	gpu_world
	bars 0000:01:00.0 00000000f6000000-00000000f6ffffff 00000000e0000000-00000000efffffff
	bars 0000:02:00.0 00000000f4000000-00000000f4ffffff 00000000c0000000-00000000cfffffff
	printf '%s\n' "c0000000-cfffffff : 0000:02:00.0" "  c0000000-c07e8fff : BOOTFB" \
		"e0000000-efffffff : 0000:01:00.0" > "$PROC/iomem"
	# the framebuffer sits on the other GPU: this one may go
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$TMP/w.xml run win10 release end -
	printf '%s\n' "e0000000-efffffff : 0000:01:00.0" "  e0000000-e07e8fff : BOOTFB" > "$PROC/iomem"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 1
	err_has "pthook: win10: 0000:01:00.0 is held by the boot framebuffer (BOOTFB at e0000000-e07e8fff in BAR 1); boot with video=efifb:off"
	[ "$(drv 0000:01:00.0)" = nouveau ] || fail "GPU moved to $(drv 0000:01:00.0)"
	stop_world
}

t_fbcon_on_the_gpu_is_refused() {
	gpu_world
	mkdir -p "$SYS/bus/pci/devices/0000:01:00.0/graphics/fb0" "$SYS/class/vtconsole/vtcon0" \
		"$SYS/class/vtconsole/vtcon1"
	echo "(S) dummy device" > "$SYS/class/vtconsole/vtcon0/name"
	echo 1 > "$SYS/class/vtconsole/vtcon0/bind"
	echo "(M) frame buffer device" > "$SYS/class/vtconsole/vtcon1/name"
	echo 1 > "$SYS/class/vtconsole/vtcon1/bind"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 1
	err_has "0000:01:00.0 is held by fbcon, the console on fb0 (vtcon1); unbind it first: echo 0 > /sys/class/vtconsole/vtcon1/bind"
	err_lines 1
	echo 0 > "$SYS/class/vtconsole/vtcon1/bind"
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$TMP/w.xml run win10 release end -
	stop_world
}

# A process that opens the GPU after the check, while the unbind is under
# way: the unbind never returns, and the hook, bounded, names it.
t_stuck_unbind_names_the_holder_that_came_late() {
	gpu_world
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
timeout = 1
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4')
	domain win10 0000:01:00.0:no 0000:01:00.1 > "$TMP/w.xml"
	rm "$SYS/bus/pci/drivers/nouveau/unbind"
	mkfifo "$SYS/bus/pci/drivers/nouveau/unbind"	# a write nobody takes
	( STDIN=$TMP/w.xml run win10 prepare begin -; echo "$RC" > "$TMP/rc" ) &
	local bg=$! t0=$SECONDS
	# the check is done once the device is on record (before its unbind)
	for _ in $(seq 200); do [ -e "$PTHOOK_STATE_DIR/win10.state" ] && break; sleep 0.05; done
	proc_holds 3131 steam "$DEV/dri/renderD128"
	wait $bg
	[ "$(cat "$TMP/rc")" = 3 ] || fail "exit $(cat "$TMP/rc"), wanted 3"
	ERR=$(cat "$TMP/err")
	err_has "pthook: win10: cannot detach 0000:01:00.0: 0000:01:00.0: the kernel did not finish unbinding it within the hook's 6 s; it is held, see below"
	err_has "pthook: win10: 0000:01:00.0 is held by steam (pid 3131) via $DEV/dri/renderD128"
	[ $((SECONDS - t0)) -le 16 ] || fail "took $((SECONDS - t0)) s"
	stop_world
}

# Not only GPUs: whatever node a driver made below the function counts,
# found as the kernel names it (uevent DEVNAME), here an NVMe's block
# device three directories down.  A partition of the other NVMe does not.
t_block_device_of_an_nvme_held() {
	world intel-z690-desktop
	export PTHOOK_PROC=$TMP/proc-$RANDOM PTHOOK_DEV=$TMP/dev-$RANDOM
	PROC=$PTHOOK_PROC DEV=$PTHOOK_DEV
	mkdir -p "$PROC" "$DEV"
	devnode 0000:06:00.0 nvme/nvme1 nvme1
	devnode 0000:06:00.0 nvme/nvme1/nvme1n1 nvme1n1
	devnode 0000:05:00.0 nvme/nvme0/nvme0n1/nvme0n1p2 nvme0n1p2
	: > "$DEV/nvme1n1"; : > "$DEV/nvme0n1p2"
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "store"]
pci = 144d:a808')
	domain store 0000:06:00.0 > "$TMP/s.xml"
	proc_holds 4242 dd "$DEV/nvme1n1"
	proc_holds 4243 postgres "$DEV/nvme0n1p2"
	STDIN=$TMP/s.xml run store prepare begin -
	rc_is 1
	err_has "pthook: store: 0000:06:00.0 is held by dd (pid 4242) via $DEV/nvme1n1; stop it first"
	grep -q 'display-manager' <<<"$ERR" && fail "a disk's holder was told about display managers"
	grep -q postgres <<<"$ERR" && fail "the other NVMe's partition counted"
	err_lines 1
	rm -rf "${PROC:?}/4242"
	STDIN=$TMP/s.xml run store prepare begin -
	rc_is 0
	stop_world
}

# fbcon draws on the framebuffers its map names, not on every one: by
# default every console on the first registered (fb0, the MSI card's
# here, as /sys/class/graphics shows it), fbcon=map: moves them.  The
# ASUS card's fb1 carries no console: not held; the MSI's is.
fbcon_world() {
	gpu_world
	local a=$SYS/bus/pci/devices/0000:01:00.0 m=$SYS/bus/pci/devices/0000:02:00.0
	mkdir -p "$m/graphics/fb0" "$a/graphics/fb1" "$SYS/class/graphics" \
		"$SYS/devices/virtual/graphics/fbcon" "$SYS/class/vtconsole/vtcon0" "$SYS/class/vtconsole/vtcon1"
	printf 'MAJOR=29\nMINOR=0\nDEVNAME=fb0\n' > "$m/graphics/fb0/uevent"
	printf 'MAJOR=29\nMINOR=1\nDEVNAME=fb1\n' > "$a/graphics/fb1/uevent"
	ln -s ../../bus/pci/devices/0000:02:00.0/graphics/fb0 "$SYS/class/graphics/fb0"
	ln -s ../../bus/pci/devices/0000:01:00.0/graphics/fb1 "$SYS/class/graphics/fb1"
	ln -s ../../devices/virtual/graphics/fbcon "$SYS/class/graphics/fbcon"
	echo "(S) dummy device" > "$SYS/class/vtconsole/vtcon0/name"
	echo 0 > "$SYS/class/vtconsole/vtcon0/bind"
	echo "(M) frame buffer device" > "$SYS/class/vtconsole/vtcon1/name"
	echo 1 > "$SYS/class/vtconsole/vtcon1/bind"
	: > "$DEV/fb0"; : > "$DEV/fb1"	# not real nodes: the map's ioctl fails
	echo "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro quiet" > "$PROC/cmdline"
}

t_fbcon_only_on_the_framebuffers_its_map_names() {
	fbcon_world
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 0	# the ASUS card's fb1 shows no console
	grep -q fbcon <<<"$ERR" && fail "fbcon named: $ERR"
	STDIN=$TMP/w.xml run win10 release end -
	# the MSI card's fb0 has them all
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "msi"]
pci = 10de:1b81 subsystem=1462:3302')
	domain msi 0000:02:00.0 0000:02:00.1 > "$TMP/m.xml"
	STDIN=$TMP/m.xml run msi prepare begin -
	rc_is 1
	err_has "0000:02:00.0 is held by fbcon, the console on fb0 (vtcon1); unbind it first: echo 0 > /sys/class/vtconsole/vtcon1/bind"
	# fbcon=map:01 puts every other console on the ASUS card's fb1:
	# both are held, and unbinding fbcon takes the other one's too
	echo "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 ro fbcon=map:01 quiet" > "$PROC/cmdline"
	STDIN=$TMP/m.xml run msi prepare begin -
	rc_is 1
	err_has "the console on fb0 (vtcon1); unbind it first: echo 0 > /sys/class/vtconsole/vtcon1/bind (fbcon's map puts consoles on other framebuffers too"
	PTHOOK_CONFIG=$(config "$WIN10")
	STDIN=$TMP/w.xml run win10 prepare begin -
	rc_is 1
	err_has "0000:01:00.0 is held by fbcon, the console on fb1 (vtcon1)"
	# fbcon=map:1 alone: the MSI card is free
	echo "ro fbcon=map:1" > "$PROC/cmdline"
	PTHOOK_CONFIG=$(config '[global]
detach = sysfs
[vm "msi"]
pci = 10de:1b81 subsystem=1462:3302')
	STDIN=$TMP/m.xml run msi prepare begin -
	rc_is 0
	STDIN=$TMP/m.xml run msi release end -
	stop_world
}

run_tests
