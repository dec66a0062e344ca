#!/bin/bash
# install.sh and hook/place into a staged root (--root): what lands where,
# idempotence, a hook of the user's left alone, --dry-run, --uninstall.
# The real install into / is tests/package.sh's.
. "$(dirname "$0")/lib.sh"

# inst ARGS...: install.sh without touching the system's package manager
inst() {
	"$ROOT/install.sh" --no-deps "$@" > "$TMP/out" 2> "$TMP/err"; RC=$?
	OUT=$(cat "$TMP/out"); ERR=$(cat "$TMP/err")
}

mode() { stat -c %a "$1"; }

t_fresh_install_then_again_changes_nothing() {
	local r=$TMP/root f
	inst -y --root "$r"
	rc_is 0
	for f in usr/sbin/pthook:755 usr/lib/pthook/pthook-core.so:644 usr/lib/pthook/place:755 \
	    usr/share/man/man8/pthook.8.gz:644 usr/share/man/man5/pthook.ini.5.gz:644 \
	    usr/share/bash-completion/completions/pthook:644 etc/pthook/pthook.ini:600 \
	    usr/lib/systemd/system/pthook-watch.service:644 usr/lib/udev/rules.d/60-pthook.rules:644 \
	    etc/libvirt/hooks/qemu:755; do
		[ -f "$r/${f%:*}" ] || { fail "missing ${f%:*}"; continue; }
		[ "$(mode "$r/${f%:*}")" = "${f#*:}" ] || fail "${f%:*} has mode $(mode "$r/${f%:*}")"
	done
	cmp -s "$r/usr/sbin/pthook" "$r/etc/libvirt/hooks/qemu" || fail "the hook is not a copy of pthook"
	[ -L "$r/etc/libvirt/hooks/qemu" ] && fail "the hook is a symlink"
	out_has "installed $r/etc/libvirt/hooks/qemu"
	# the installed config names no VM: every start goes through untouched
	run -c "$r/etc/pthook/pthook.ini" --sysfs "$(host intel-z690-desktop)" check
	rc_is 0
	"$r/etc/libvirt/hooks/qemu" win10 prepare begin - < /dev/null || fail "the installed hook refused a start"
	sleep 1; touch "$TMP/before"
	inst -y --root "$r"
	rc_is 0
	out_has "unchanged $r/etc/libvirt/hooks/qemu"
	out_has "kept $r/etc/pthook/pthook.ini"
	[ -z "$(find "$r" -newer "$TMP/before")" ] || fail "second run touched: $(find "$r" -newer "$TMP/before")"
}

t_user_hook_is_never_overwritten() {
	local r=$TMP/root2 h
	h=$r/etc/libvirt/hooks
	mkdir -p "$h" "$r/etc/pthook"
	printf '#!/bin/sh\necho theirs\n' > "$h/qemu"; chmod 755 "$h/qemu"
	cp "$h/qemu" "$TMP/theirs"
	printf '[global]\ntimeout = 9\n' > "$r/etc/pthook/pthook.ini"; chmod 600 "$r/etc/pthook/pthook.ini"
	cp "$r/etc/pthook/pthook.ini" "$TMP/conf"
	inst -y --root "$r"
	rc_is 0
	cmp -s "$h/qemu" "$TMP/theirs" || fail "their qemu hook changed"
	cmp -s "$h/qemu.d/pthook" "$r/usr/sbin/pthook" || fail "pthook not in qemu.d"
	cmp -s "$r/etc/pthook/pthook.ini" "$TMP/conf" || fail "their config changed"
	# an upgrade replaces pthook's copy, still not theirs
	echo >> "$h/qemu.d/pthook"
	inst -y --root "$r"
	out_has "updated $h/qemu.d/pthook"
	cmp -s "$h/qemu.d/pthook" "$r/usr/sbin/pthook" || fail "not updated"
	inst -y --uninstall --root "$r"
	rc_is 0
	[ -e "$h/qemu.d/pthook" ] && fail "uninstall left qemu.d/pthook"
	[ -e "$r/usr/sbin/pthook" ] && fail "uninstall left pthook"
	[ -e "$r/usr/lib/pthook" ] && fail "uninstall left /usr/lib/pthook"
	cmp -s "$h/qemu" "$TMP/theirs" || fail "uninstall touched their hook"
	cmp -s "$r/etc/pthook/pthook.ini" "$TMP/conf" || fail "uninstall touched the config"
	out_has "kept $r/etc/pthook/pthook.ini"
}

t_foreign_file_in_the_way_is_refused() {
	local r=$TMP/root3 h
	h=$r/etc/libvirt/hooks
	mkdir -p "$h/qemu.d"
	printf '#!/bin/sh\n' > "$h/qemu"; printf '#!/bin/sh\necho mine\n' > "$h/qemu.d/pthook"
	cp "$h/qemu.d/pthook" "$TMP/mine"
	inst -y --root "$r"
	rc_is 1
	err_has "$h/qemu.d/pthook exists and is not pthook's"
	cmp -s "$h/qemu.d/pthook" "$TMP/mine" || fail "overwrote their qemu.d/pthook"
}

t_dry_run_changes_nothing() {
	local r=$TMP/root4
	inst -y --dry-run --root "$r"
	rc_is 0
	out_has "would: "
	[ -e "$r" ] && fail "--dry-run created $(find "$r" | head -3)"
	inst --bogus
	rc_is 2
	err_has "unknown option '--bogus'"
}

run_tests
