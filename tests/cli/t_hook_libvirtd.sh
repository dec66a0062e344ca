#!/bin/bash
# pthook as the QEMU hook of a real libvirtd (private instance, see
# libvirtd.sh): libvirt runs it with its own environment, so the config
# sits at the default /etc/pthook/pthook.ini, made private here too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"

before_libvirtd() {
	mkdir -p /etc/pthook "$TMP/etc-pthook"
	chmod 755 "$TMP/etc-pthook"
	mount --bind "$TMP/etc-pthook" /etc/pthook
	cat > /etc/pthook/pthook.ini <<'INI'
[vm "guarded"]
pci = 10de:1b81
INI
	chmod 600 /etc/pthook/pthook.ini
	mkdir -p /etc/libvirt/hooks
	install -m 0755 "$PTHOOK" /etc/libvirt/hooks/qemu
	install -m 0644 "$(dirname "$PTHOOK")/pthook-core.so" /etc/libvirt/hooks/pthook-core.so
}
private_libvirtd

# domain NAME [HOSTDEV-BUS]: a small TCG guest, optionally with a PCI
# hostdev that does not exist on this machine (managed='no': even a
# broken hook could not make libvirt touch a real device)
define() {
	local hd=
	[ -n "${2:-}" ] && hd="<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x0000' bus='$2' slot='0x00' function='0x0'/></source></hostdev>"
	cat > "$TMP/$1.xml" <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $hd
    <graphics type='vnc' port='-1' listen='127.0.0.1'/>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh -q define "$TMP/$1.xml" >/dev/null
}

t_refusal_reaches_virsh_start() {
	define guarded 0x0a
	virsh start guarded > "$TMP/start.out" 2>&1 && fail "guarded started"
	grep -q "pthook: guarded: 'pci = 10de:1b81' matches no device" "$TMP/start.out" ||
		fail "refusal not in the virsh error: $(cat "$TMP/start.out")"
	grep -q "pthook: guarded: hostdev 0000:0a:00.0: no such device on this host" "$TMP/start.out" ||
		fail "stale hostdev not in the virsh error: $(cat "$TMP/start.out")"
	[ "$(virsh domstate guarded)" = "shut off" ] || fail "guarded is $(virsh domstate guarded)"
}

t_unconfigured_domain_starts_through_the_hook() {
	define free
	virsh start free > "$TMP/start.out" 2>&1 || fail "free did not start: $(cat "$TMP/start.out")"
	[ "$(virsh domstate free)" = running ] || fail "free is $(virsh domstate free)"
	virsh destroy free >/dev/null 2>&1
}

run_tests
