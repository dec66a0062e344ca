# Sourced by tests that need a real libvirtd.  private_libvirtd re-runs
# the calling script in a new mount namespace where /etc/libvirt,
# /run/libvirt and /var/{lib,cache,log}/libvirt are private copies, then
# starts libvirtd there: the machine's own libvirt is never touched, and
# the hooks dir is ours to fill.

private_libvirtd() {
	if [ -z "${PTHOOK_PRIVATE_NS:-}" ]; then
		PTHOOK_PRIVATE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
	fi
	LV=$TMP/libvirt
	mkdir -p "$LV"/etc "$LV"/run "$LV"/lib "$LV"/cache "$LV"/log /run/libvirt \
		/var/lib/libvirt /var/cache/libvirt /var/log/libvirt
	cp -a /etc/libvirt/. "$LV/etc/"
	rm -rf "$LV"/etc/qemu/*.xml "$LV"/etc/hooks
	cat "$ROOT/tests/libvirt/qemu.conf.test" >> "$LV/etc/qemu.conf"
	mount --bind "$LV/etc" /etc/libvirt
	mount --bind "$LV/run" /run/libvirt
	mount --bind "$LV/lib" /var/lib/libvirt
	mount --bind "$LV/cache" /var/cache/libvirt
	mount --bind "$LV/log" /var/log/libvirt
	# the caller may install hooks: libvirtd looks for them at start
	if declare -F before_libvirtd >/dev/null; then before_libvirtd; fi
	start_libvirtd
	trap 'stop_libvirtd; rm -rf "$TMP"' EXIT
}

start_libvirtd() {
	local i
	/usr/sbin/libvirtd -d -p "$LV/libvirtd.pid" || { echo "not ok - libvirtd did not start"; exit 1; }
	for i in $(seq 100); do
		virsh -c qemu:///system version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "not ok - libvirtd did not answer"; exit 1
}

stop_libvirtd() {
	local pid; pid=$(cat "$LV/libvirtd.pid" 2>/dev/null)
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	# gone, or a zombie nobody reaps (no init in a container)
	for _ in $(seq 50); do
		grep -qv ') Z ' "/proc/$pid/stat" 2>/dev/null || return 0
		sleep 0.1
	done
}
