# Sourced by tests of input = rules (issue #21) after lib.sh: input
# devices on a fake /sys/class/input and /dev/input/by-* tree.

# evdev N BUS VVVV:PPPP KIND NAME [PHYS]: eventN as the kernel shows it;
# KIND keyboard|mouse|touchpad|other sets its capability bitmaps
evdev() {
	local d=$SYS/class/input/event$1/device
	mkdir -p "$d/id" "$d/capabilities"
	echo "$2" > "$d/id/bustype"; echo "${3%:*}" > "$d/id/vendor"; echo "${3#*:}" > "$d/id/product"
	echo "$5" > "$d/name"
	[ -n "${6:-}" ] && echo "$6" > "$d/phys"
	local ev=3 key=0 rel=0 abs=0
	case $4 in
	keyboard) ev=120013 key="402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe" ;;
	mouse) ev=17 key="70000 0 0 0 0" rel=903 ;;
	touchpad) ev=b key="e520 10000 0 0 0 0" abs=3 ;;
	esac
	echo "$ev" > "$d/capabilities/ev"; echo "$key" > "$d/capabilities/key"
	echo "$rel" > "$d/capabilities/rel"; echo "$abs" > "$d/capabilities/abs"
}
link() { mkdir -p "$DEV/input/$1"; ln -sf "../event$3" "$DEV/input/$1/$2"; }
node() { mkdir -p "$DEV/input"; touch "$DEV/input/event$1"; }

# input_world SYS: a laptop's keyboard (i8042) and touchpad (I2C, no
# stable link), a USB receiver's keyboard and mouse, a power button; sets
# DEV and exports PTHOOK_DEV
input_world() {
	SYS=$1 DEV=$TMP/dev
	evdev 3 0011 0001:0001 keyboard "AT Translated Set 2 keyboard" isa0060/serio0/input0
	evdev 7 0018 06cb:ce44 touchpad "SYNA8004:00 06CB:CE44 Touchpad" i2c-SYNA8004:00
	evdev 9 0003 046d:c52b keyboard "Logitech USB Receiver" usb-0000:00:14.0-2/input0
	evdev 10 0003 046d:c52b mouse "Logitech USB Receiver Mouse" usb-0000:00:14.0-2/input1
	evdev 12 0019 0000:0001 other "Power Button" PNP0C0C/button/input0
	link by-path platform-i8042-serio-0-event-kbd 3
	link by-id usb-Logitech_USB_Receiver-event-kbd 9
	link by-id usb-Logitech_USB_Receiver-if01-event-mouse 10
	link by-path pci-0000:00:14.0-usb-0:2:1.1-event-mouse 10
	for n in 3 7 9 10 12; do node $n; done
	export PTHOOK_DEV=$DEV
}
