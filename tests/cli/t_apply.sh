#!/bin/bash
# pthook apply against real libvirt: the test:/// driver, in-process,
# with the domains of tests/libvirt/node.xml.
. "$(dirname "$0")/lib.sh"

setup() {
	SYS=$(host intel-z690-desktop)
	CFG=$(config "$(cat "$ROOT/etc/examples/pthook.ini")")
	cp "$ROOT/tests/libvirt/node.xml" "$TMP/node.xml"
	URI=test://$TMP/node.xml
	BK=$TMP/backup-$RANDOM
}

t_apply_yes_defines_and_backs_up() {
	setup
	run --sysfs "$SYS" -c "$CFG" apply --connect "$URI" -y --backup-dir "$BK"
	rc_is 0
	out_has "--- win10 (libvirt)"
	out_has "+++ win10 (pthook)"
	out_has '-        <address domain="0x0000" bus="0x03" slot="0x00" function="0x1"/>'
	out_has '+        <address domain="0x0000" bus="0x04" slot="0x00" function="0x1"/>'
	# pthook reads the definition back after defining: "defined" means
	# libvirt now holds the planned hostdev set
	out_has "win10: defined; previous definition saved as $BK/win10-"
	out_has "router: definition is up to date"
	local b; b=$(ls "$BK"/win10-*.xml)
	[ "$(stat -c %a "$b")" = 600 ] || fail "backup mode $(stat -c %a "$b")"
	[ "$(stat -c %a "$BK")" = 700 ] || fail "backup dir mode $(stat -c %a "$BK")"
	grep -q "bus='0x03' slot='0x00' function='0x1'" "$b" || fail "backup is not the old definition"
}

t_apply_dry_run_changes_nothing() {
	setup
	run --sysfs "$SYS" -c "$CFG" apply --connect "$URI" --dry-run --backup-dir "$BK" --debug-xml "$TMP/dbg.xml"
	rc_is 0
	out_has "+        <address domain=\"0x0000\" bus=\"0x04\" slot=\"0x00\" function=\"0x1\"/>"
	out_has "win10: not changed (--dry-run)"
	[ -e "$BK" ] && fail "dry run wrote a backup"
	grep -q 'bus="0x04" slot="0x00" function="0x1"' "$TMP/dbg-win10.xml" || fail "no debug XML for win10"
	[ -f "$TMP/dbg-router.xml" ] || fail "no debug XML for router"
	# the secure XML (graphics passwords): 0600 whatever the umask
	[ "$(stat -c %a "$TMP/dbg-win10.xml")" = 600 ] || fail "debug XML mode $(stat -c %a "$TMP/dbg-win10.xml")"
}

t_apply_needs_a_terminal_or_yes() {
	setup
	run --sysfs "$SYS" -c "$CFG" apply --connect "$URI" --backup-dir "$BK"
	rc_is 2
	err_has "win10: not changed: no terminal to confirm on; run with -y"
	[ -e "$BK" ] && fail "wrote a backup without confirmation"
}

t_apply_prompt_on_a_terminal() {
	setup
	local cmd="$PTHOOK --sysfs $SYS -c $CFG apply --connect $URI --vm win10 --backup-dir $BK"
	echo n | script -qec "$cmd" /dev/null > "$TMP/tty.out" 2>&1
	grep -q "Apply changes to win10? \[y/N\]" "$TMP/tty.out" || fail "no prompt: $(cat "$TMP/tty.out")"
	grep -q "win10: not changed" "$TMP/tty.out" || fail "declining changed something"
	[ -e "$BK" ] && fail "declined, yet a backup was written"
	echo y | script -qec "$cmd" /dev/null > "$TMP/tty.out" 2>&1
	grep -q "win10: defined" "$TMP/tty.out" || fail "accepting did not define: $(cat "$TMP/tty.out")"
}

t_apply_vm_selection_and_missing_domain() {
	setup
	run --sysfs "$SYS" -c "$CFG" apply --connect "$URI" --vm router -y --backup-dir "$BK"
	rc_is 0
	out_has "router: definition is up to date"
	out_lacks "win10"
	run --sysfs "$SYS" -c "$CFG" apply --connect "$URI" --vm nosuch -y
	rc_is 2
	err_has 'no [vm "nosuch"] section'
	# configured but not defined in libvirt: reported, the others go on
	local cfg; cfg=$(config "$(cat "$CFG")
[vm \"ghost\"]
pci = 8086:15f3")
	run --sysfs "$SYS" -c "$cfg" apply --connect "$URI" -y --backup-dir "$BK"
	rc_is 3
	err_has "ghost: no such domain in libvirt"
	out_has "win10: defined"
}

t_apply_plan_errors_define_nothing() {
	setup
	local cfg; cfg=$(config '[vm "win10"]
pci = 1002:67ff
pci = 10de:2204')
	run --sysfs "$SYS" -c "$cfg" apply --connect "$URI" -y --backup-dir "$BK"
	rc_is 1
	err_has "'pci = 10de:2204' matches no device"
	err_has "win10: not changed: the plan has errors"
	[ -e "$BK" ] && fail "backup written for a refused plan"
}

t_apply_libvirt_unreachable() {
	setup
	run --sysfs "$SYS" -c "$CFG" apply --connect "qemu+unix:///system?socket=$TMP/nosock" -y
	rc_is 3
	err_lines 1
	err_has "cannot connect to libvirt at qemu+unix:///system?socket=$TMP/nosock"
}

run_tests
