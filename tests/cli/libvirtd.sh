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
	libvirt_dirs "$LV"
	# the caller may install hooks: libvirtd looks for them at start
	if declare -F before_libvirtd >/dev/null; then before_libvirtd; fi
	start_libvirtd
	trap 'stop_libvirtd; rm -rf "$TMP"' EXIT
}

# libvirt_dirs DIR: private copies of libvirt's directories in DIR
# (etc, run, lib, cache, log; no domains, no hooks), mounted over the
# real ones in this mount namespace
libvirt_dirs() {
	mkdir -p "$1"/etc "$1"/run "$1"/lib "$1"/cache "$1"/log /run/libvirt \
		/var/lib/libvirt /var/cache/libvirt /var/log/libvirt
	cp -a /etc/libvirt/. "$1/etc/"
	rm -rf "$1"/etc/qemu/*.xml "$1"/etc/hooks
	cat "$ROOT/tests/libvirt/qemu.conf.test" >> "$1/etc/qemu.conf"
	mount --bind "$1/etc" /etc/libvirt
	mount --bind "$1/run" /run/libvirt
	mount --bind "$1/lib" /var/lib/libvirt
	mount --bind "$1/cache" /var/cache/libvirt
	mount --bind "$1/log" /var/log/libvirt
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
