#!/bin/bash
# The single-GPU handoff (issue #17) on a fake tree: the boot GPU with
# nouveau, fbcon on its fb0, the firmware framebuffer in its BAR 1, a
# display manager holding card0, and a systemctl stand-in on PATH that
# plays systemd (units are files; stopping the display manager ends
# its process).  The order of the steps, the undo when something still
# holds the GPU, release from the record after a crash between steps,
# the refusal without the opt-in or without another way into the host.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hooklib.sh"
. "$(dirname "$0")/handofflib.sh"

t_boot_gpu_refused_without_the_opt_in() {
	console_world '[global]
detach = sysfs
[vm "win10"]
pci = 10de:1b81 subsystem=1043:85f4'
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 1
	err_has "is host-critical: it is the boot VGA device and the host's nouveau driver drives the console on it; pthook will not take it from the host ('console = handoff' in the VM's section hands it over, the host's console with it)"
	[ -e "$UNITS/log" ] && fail "systemctl ran: $(cat "$UNITS/log")"
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon unbound"
	stop_world
}

t_handoff_in_order_and_back_in_reverse() {
	console_world
	run check -v win10
	rc_is 0
	out_has "win10: handoff: stop display-manager.service if it runs (started again on release)"
	out_has "win10: handoff: unbind fbcon from vtcon1, the console on fb0 of $GPU"
	out_has "win10: handoff: unbind the firmware framebuffer efi-framebuffer.0 from efi-framebuffer (BOOTFB in BAR 1 of $GPU"
	run --simulate "$W/w.xml"
	rc_is 0
	err_has "win10: handoff: then nothing may hold $GPU"
	[ -e "$UNITS/log" ] && fail "check or --simulate ran systemctl: $(cat "$UNITS/log")"
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	# the unit stopped while the console was still there, then the rest
	diff <(cat "$UNITS/log") <(printf '%s\n' "is-active --quiet display-manager.service vtcon1=1" \
		"stop display-manager.service vtcon1=1") || fail "systemctl calls differ"
	[ "$(cat "$VT/bind")" = 0 ] || fail "fbcon still bound"
	[ "$(fb_writes unbind)" = efi-framebuffer.0 ] || fail "efifb not unbound: '$(fb_writes unbind)'"
	diff <(grep -E '^(unit|vtcon|fb) ' "$PTHOOK_STATE_DIR/win10.state") \
		<(printf '%s\n' "unit display-manager.service" "vtcon 1" "fb efi-framebuffer efi-framebuffer.0") ||
		fail "record: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	# release: framebuffer, fbcon, then the unit, whose start sees fbcon
	# back; a step that fails (the framebuffer's bind) stops none of them
	: > "$UNITS/log"
	rm "$SYS/bus/platform/drivers/efi-framebuffer/bind"
	mkdir "$SYS/bus/platform/drivers/efi-framebuffer/bind"
	STDIN=$W/w.xml run win10 release end -
	rc_is 0
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon not bound again"
	[ "$(cat "$UNITS/log")" = "start display-manager.service vtcon1=1" ] || fail "release: $(cat "$UNITS/log")"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "record left"
	stop_world
}

# fbcon that cannot be bound again (its bind refused) is not forgotten:
# the record keeps the step, status names it, the unit starts anyway,
# and the next release binds it (the real-kernel tier's crash walk
# found a console the kernel would not bind back)
t_console_that_cannot_be_bound_back_stays_on_record() {
	console_world
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	rm "$VT/bind"; mkdir "$VT/bind"
	STDIN=$W/w.xml run win10 release end -
	rc_is 0	# the hook's release end never fails (libvirt ignores it)
	err_has "win10: handoff: cannot undo 'vtcon 1'"
	err_has "it stays on record and the next release tries again"
	grep -qx "vtcon 1" "$PTHOOK_STATE_DIR/win10.state" || fail "not on record: $(cat "$PTHOOK_STATE_DIR/win10.state" 2>&1)"
	grep -q "^unit" "$PTHOOK_STATE_DIR/win10.state" && fail "the unit is still on record"
	[ -e "$UNITS/display-manager.service.active" ] || fail "the unit did not start"
	run status win10
	rc_is 1
	out_has "LEFT OVER"
	run release win10
	rc_is 3
	grep -qx "vtcon 1" "$PTHOOK_STATE_DIR/win10.state" || fail "dropped by pthook release"
	rmdir "$VT/bind"; echo 0 > "$VT/bind"
	run release win10
	rc_is 0
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon not bound by the second release"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "record left: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	stop_world
}

t_holder_left_after_the_units_stop_undoes_the_handoff() {
	console_world
	proc 4242 steam "$DEV/dri/card0"	# not the display manager's
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 1
	err_has "pthook: win10: $GPU is held by steam (pid 4242) via $DEV/dri/card0"
	err_has "the handoff is undone: what was stopped starts again"
	grep -q '^start display-manager.service' "$UNITS/log" || fail "the unit did not start again: $(cat "$UNITS/log")"
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon left unbound"
	[ -s "$SYS/bus/platform/drivers/efi-framebuffer/unbind" ] && fail "efifb touched"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "record left: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	stop_world
}

t_release_after_a_crash_between_steps() {
	console_world
	STOP_HANGS=1 STDIN=$W/w.xml run win10 prepare begin - &
	local hook=$!
	for _ in $(seq 100); do grep -q '^stop' "$UNITS/log" 2>/dev/null && break; sleep 0.05; done
	pkill -9 -f "$PTHOOK win10 prepare" ; wait $hook 2>/dev/null
	grep -qx "unit display-manager.service" "$PTHOOK_STATE_DIR/win10.state" ||
		fail "the step was not on record before it was done"
	grep -q '^vtcon' "$PTHOOK_STATE_DIR/win10.state" && fail "a later step on record"
	sleep 0.3
	pgrep -f "$W/bin/systemctl stop" > /dev/null && fail "systemctl outlived the hook"
	run release win10
	rc_is 0
	grep -q '^start display-manager.service' "$UNITS/log" || fail "not started again: $(cat "$UNITS/log")"
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon touched"
	[ -e "$PTHOOK_STATE_DIR/win10.state" ] && fail "record left"
	stop_world
}

t_no_other_way_in_refused_unless_force() {
	console_world
	rm -rf "${PROC:?}/22"	# no sshd
	getty 30 tty1 1025 agetty tty1	# a getty, on tty1 only
	# arguments are no proof: this one names ttyS0 and sits on tty2
	getty 31 tty2 1026 agetty -L ttyS0 115200
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 1
	err_has "pthook: win10: the handoff takes $GPU, the host's console: pthook sees no other way into the host once its console goes: no sshd (no process, nothing listening on port 22) and no getty on a serial line; start sshd or a serial getty, or add 'force' to its rule"
	[ -e "$UNITS/log" ] && fail "systemctl ran"
	# a socket on port 22 (socket activation) is a way in
	printf '%s\n' "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode" \
		"   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1" > "$PROC/net-tcp"
	mkdir -p "$PROC/net"; mv "$PROC/net-tcp" "$PROC/net/tcp"
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$W/w.xml run win10 release end -
	# a serial getty is too, as systemd >= 250 starts it: the port on
	# stdin, '-' in the arguments (serial-getty@.service)
	rm -rf "${PROC:?}/net"
	getty 32 ttyS0 1088 agetty -o '-p -- \u' --keep-baud 115200,57600,38400,9600 - vt220
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$W/w.xml run win10 release end -
	# or known by its controlling tty alone (stdin elsewhere): ttyAMA0
	rm -rf "${PROC:?}/32"
	getty 33 null $((204 << 8 | 64)) agetty - vt220
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$W/w.xml run win10 release end -
	rm -rf "${PROC:?}/30" "${PROC:?}/31" "${PROC:?}/33"
	PTHOOK_CONFIG=$(config "${HANDOFF/subsystem=1043:85f4/subsystem=1043:85f4 force}")
	run check win10
	err_has "warning: the handoff takes $GPU, the host's console, and pthook sees no other way"
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	STDIN=$W/w.xml run win10 release end -
	stop_world
}

# The console on the firmware's framebuffer (efifb, a platform device
# whose memory lies in the GPU's BAR 1), the GPU's driver without one of
# its own: fbcon is unbound from its vtconsole before efifb lets go, and
# bound again after efifb is back.
t_console_on_the_firmware_framebuffer() {
	console_world
	local d=$SYS/bus/pci/devices/$GPU e=$SYS/devices/platform/efi-framebuffer.0
	rm -rf "$d/graphics"
	mkdir -p "$e/graphics/fb0" "$SYS/class/graphics" "$SYS/bus/platform/devices"
	printf 'MAJOR=29\nMINOR=0\nDEVNAME=fb0\n' > "$e/graphics/fb0/uevent"
	ln -s ../../devices/platform/efi-framebuffer.0/graphics/fb0 "$SYS/class/graphics/fb0"
	ln -s ../../../devices/platform/efi-framebuffer.0 "$SYS/bus/platform/devices/efi-framebuffer.0"
	run --simulate "$W/w.xml"
	err_has "win10: handoff: unbind fbcon from vtcon1, the console on fb0 of $GPU (bound again on release)"
	err_has "win10: handoff: unbind the firmware framebuffer efi-framebuffer.0 from efi-framebuffer"
	STDIN=$W/w.xml run win10 prepare begin -
	rc_is 0
	diff <(grep -E '^(unit|vtcon|fb) ' "$PTHOOK_STATE_DIR/win10.state") \
		<(printf '%s\n' "unit display-manager.service" "vtcon 1" "fb efi-framebuffer efi-framebuffer.0") ||
		fail "steps on record: $(cat "$PTHOOK_STATE_DIR/win10.state")"
	[ "$(cat "$VT/bind")" = 0 ] || fail "fbcon still bound"
	STDIN=$W/w.xml run win10 release end -
	rc_is 0
	[ "$(cat "$VT/bind")" = 1 ] || fail "fbcon not bound again"
	grep -q efi-framebuffer.0 "$SYS/bus/platform/drivers/efi-framebuffer/bind" || fail "efifb not bound again"
	stop_world
}

run_tests
