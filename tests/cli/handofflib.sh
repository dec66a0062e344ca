# Sourced by the handoff's tests after lib.sh and hooklib.sh: the boot
# GPU of the twins host with nouveau, fbcon on its fb0, the firmware
# framebuffer in its BAR 1, a display manager holding card0, sshd, and a
# systemctl on PATH with fakesystemd's manager behind it, run by
# console_world and stopped by stop_world.

GPU=0000:01:00.0 VT=
HANDOFF='[global]
detach = sysfs
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4
console = handoff'

# console_world [CONFIG]: twins, its ASUS GPU the console (see above)
console_world() {
	PTHOOK_CONFIG=$(config "${1:-$HANDOFF}")
	world twins
	export PTHOOK_PROC=$W/proc PTHOOK_DEV=$W/dev UNITS=$W/units
	PROC=$PTHOOK_PROC DEV=$PTHOOK_DEV
	mkdir -p "$PROC" "$DEV/dri" "$UNITS" "$W/bin"
	local d=$SYS/bus/pci/devices/$GPU
	echo 1 > "$d/boot_vga"
	mkdir -p "$d/drm/card0" "$d/graphics/fb0"
	printf 'MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\n' > "$d/drm/card0/uevent"
	: > "$DEV/dri/card0"
	VT=$SYS/class/vtconsole/vtcon1
	mkdir -p "$SYS/class/vtconsole/vtcon0" "$VT"
	echo "(S) dummy device" > "$SYS/class/vtconsole/vtcon0/name"; echo 0 > "$SYS/class/vtconsole/vtcon0/bind"
	echo "(M) frame buffer device" > "$VT/name"; echo 1 > "$VT/bind"
	echo "0xe0000000 0xefffffff 0x0000000000040200" > "$d/resource"
	echo "0xf0000000 0xf1ffffff 0x0000000000040200" >> "$d/resource"
	printf '%s\n' "f0000000-f1ffffff : $GPU" "  f0000000-f07e8fff : BOOTFB" > "$PROC/iomem"
	mkdir -p "$SYS/bus/platform/drivers/efi-framebuffer" "$SYS/devices/platform/efi-framebuffer.0"
	ln -s ../../../../devices/platform/efi-framebuffer.0 "$SYS/bus/platform/drivers/efi-framebuffer/efi-framebuffer.0"
	: > "$SYS/bus/platform/drivers/efi-framebuffer/bind"; : > "$SYS/bus/platform/drivers/efi-framebuffer/unbind"
	# the display manager runs and holds the GPU; sshd runs
	touch "$UNITS/display-manager.service.active"
	proc 900 Xorg "$DEV/dri/card0"; echo 900 > "$UNITS/display-manager.service.pid"
	proc 22 sshd
	# systemctl: is-active reads the unit's state; start and stop are
	# jobs fakesystemd's manager runs (tests/tools/fakesystemd)
	cat > "$W/bin/systemctl" <<SH
#!/bin/bash
case \$1 in
is-active) echo "\$* vtcon1=\$(cat "\$VTCON")" >> "\$UNITS/log"; [ -e "\$UNITS/\$3.active" ] ;;
stop|start) [ "\$1" = stop ] && [ -n "\${STOP_HANGS:-}" ] && sleep 30
	exec "$ROOT/tests/tools/fakesystemd" "\$UNITS" "\$1" "\$2" ;;
*) exit 1 ;;
esac
SH
	chmod +x "$W/bin/systemctl"
	export PATH=$W/bin:$PATH VTCON=$VT/bind
	mkfifo "$UNITS/bus"; "$ROOT/tests/tools/fakesystemd" "$UNITS" & SD=$!
	domain win10 $GPU 0000:01:00.1 > "$W/w.xml"
}
# proc PID COMM [PATH...]: a fake process with those files open
proc() {
	local pid=$1 comm=$2 i=3; shift 2
	mkdir -p "$PROC/$pid/fd"; echo "$comm" > "$PROC/$pid/comm"
	for p in "$@"; do ln -sf "$p" "$PROC/$pid/fd/$i"; i=$((i + 1)); done
}
# getty PID TTY TTY_NR ARGV...: a getty as Linux shows it: fd 0 on
# /dev/TTY, the controlling tty in stat's seventh field (major << 8 |
# minor), its arguments in cmdline
getty() {
	local pid=$1 tty=$2 nr=$3; shift 3
	proc "$pid" agetty
	ln -sf "/dev/$tty" "$PROC/$pid/fd/0"
	printf '%s\0' "$@" > "$PROC/$pid/cmdline"
	echo "$pid (agetty) S 1 $pid $pid $nr $pid 4194560 95 0 0 0 0 0 0 0 20 0 1 0 1207 2400256 229 18446744073709551615" > "$PROC/$pid/stat"
}
fb_writes() { cat "$SYS/bus/platform/drivers/efi-framebuffer/$1"; }

