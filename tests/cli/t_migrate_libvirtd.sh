#!/bin/bash
# Across hosts (issue #20): real libvirt daemons on one machine, one per
# "host", each in mount and UTS namespaces of its own with private
# libvirt directories, its own fake host tree and pthook as its QEMU
# hook, all with the same pthook.ini.  `virsh migrate --offline
# --persistent` moves a definition from A to another host over that
# host's unix socket: libvirt runs the destination's `migrate begin`
# hook and defines what it prints (after its ABI check against the
# source's definition).  The machine's own libvirt is never touched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/libvirtd.sh"

if [ -z "${PTHOOK_PRIVATE_NS:-}" ]; then
	PTHOOK_PRIVATE_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

# The same GPU (and its audio) on every host, at different addresses.
inv() {	# inv NAME BUS [EXTRA-LINE]: a host with the GPU on BUS
	printf '%s\n' \
		"0000:00:00.0	060000	8086:4660	1043:8694	02	-	0	-	Host bridge	-" \
		"0000:$2:00.0	030000	10de:2204	1458:403b	a1	nouveau	1	-	RTX 3090	-" \
		"0000:$2:00.1	040300	10de:1aef	1458:403b	a1	snd_hda_intel	1	-	RTX 3090 audio	-" \
		${3:+"$3"} > "$TMP/$1.inv"
}
inv a 01
inv b 65
inv c 65
sed -i '/10de:/d' "$TMP/c.inv"	# c lacks the GPU
inv d 65 "0000:66:00.0	030000	10de:2204	1458:403b	a1	nouveau	2	-	RTX 3090	-"
# e: a USB controller on the card, in its group (a mate a lacks)
inv e 65 "0000:65:00.2	0c0330	10de:1ada	1458:403b	a1	xhci_hcd	1	-	RTX 3090 USB	-"

CFG=$(config '[vm "gamer"]
pci = 10de:2204
pci = 10de:1aef')

uri() { echo "qemu+unix:///system?socket=$TMP/$1/libvirt/run/libvirt-sock"; }

# start_host NAME: its daemon, in namespaces of its own; the hook is
# pthook behind a wrapper that points it at NAME's tree (libvirt gives a
# hook none of our environment)
start_host() {
	local h=$TMP/$1
	mkdir -p "$h"
	"$TOOLS/fakesys" "$TMP/$1.inv" "$h/sys" || exit 1
	cat > "$h/hook" <<SH
#!/bin/sh
export PTHOOK_CONFIG=$CFG PTHOOK_SYSFS=$h/sys PTHOOK_STATE_DIR=$h/state
exec $PTHOOK "\$@"
SH
	chmod 755 "$h/hook"
	unshare -m -u --propagation private bash -c '
		. "$0/tests/cli/libvirtd.sh"
		ROOT=$0 LV=$1/libvirt
		hostname "host-$2"
		libvirt_dirs "$LV"
		# libvirt refuses a migration to a host with its own UUID
		echo "host_uuid = \"$(cat /proc/sys/kernel/random/uuid)\"" >> "$LV/etc/libvirtd.conf"
		mkdir -p /etc/libvirt/hooks
		install -m 0755 "$1/hook" /etc/libvirt/hooks/qemu
		start_libvirtd' "$ROOT" "$h" "$1" || { echo "not ok - libvirtd of host $1"; exit 1; }
}
stop_hosts() {
	local p
	for p in "$TMP"/*/libvirt/libvirtd.pid; do LV=${p%/libvirtd.pid} stop_libvirtd; done
}
trap 'stop_hosts; rm -rf "$TMP"' EXIT
for h in a b c d e; do start_host $h; done

# gamer as defined on a: a's addresses, a ROM file and guest addresses
define_on_a() {
	cat > "$TMP/gamer.xml" <<'XML'
<domain type='qemu'>
  <name>gamer</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>
      <rom file='/var/lib/libvirt/vbios/rtx3090.rom'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0' multifunction='on'/>
    </hostdev>
    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x1'/>
    </hostdev>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh -q -c "$(uri a)" undefine gamer > /dev/null 2>&1
	virsh -q -c "$(uri a)" define "$TMP/gamer.xml" > /dev/null || fail "define on a"
}
migrate() {	# migrate HOST [FLAGS...]
	local to=$1; shift
	virsh -c "$(uri a)" migrate --offline --persistent "$@" gamer "$(uri "$to")" > "$TMP/mig.out" 2>&1
}
inactive() { virsh -c "$(uri "$1")" dumpxml --inactive gamer; }

t_definition_follows_its_devices() {
	define_on_a
	migrate b || { fail "migrate to b: $(cat "$TMP/mig.out")"; return; }
	inactive b > "$TMP/b.xml" || { fail "b has no gamer"; return; }
	python3 - "$TMP/b.xml" <<'PY' || fail "b's definition: $(cat "$TMP/b.xml")"
import sys, xml.etree.ElementTree as ET
hd = [h for h in ET.parse(sys.argv[1]).iter("hostdev")]
assert len(hd) == 2, len(hd)
src = [(h.find("source/address").get("bus"), h.find("source/address").get("function")) for h in hd]
assert src == [("0x65", "0x0"), ("0x65", "0x1")], src
assert hd[0].find("rom").get("file") == "/var/lib/libvirt/vbios/rtx3090.rom"
guest = [(h.find("address").get("slot"), h.find("address").get("function")) for h in hd]
assert guest == [("0x07", "0x0"), ("0x07", "0x1")], guest
PY
	# clean on b: the start pthook would make there changes nothing
	PTHOOK_SYSFS=$TMP/b/sys run -c "$CFG" --simulate "$TMP/b.xml"
	rc_is 0
	grep -q "add hostdev\|remove hostdev\|moved to" <<<"$ERR" && fail "b's definition is not clean: $ERR"
	inactive a | grep -q "bus='0x01'" || fail "a's definition changed"
	virsh -q -c "$(uri b)" undefine gamer > /dev/null
}

# A host that lacks the GPU, or has two: pthook's line, and the source
# keeps its definition even when the migration was to drop it.
t_destination_without_the_device_refuses() {
	local h line
	for h in c d; do
		define_on_a
		migrate $h --undefinesource && { fail "migrated to $h: $(inactive $h)"; continue; }
		case $h in
		c) line="pthook: gamer: 'pci = 10de:2204' matches no device" ;;
		d) line="pthook: gamer: 'pci = 10de:2204' is ambiguous, 2 devices match" ;;
		esac
		grep -qF "$line" "$TMP/mig.out" || fail "$h: not pthook's reason: $(cat "$TMP/mig.out")"
		virsh -c "$(uri $h)" list --all --name | grep -qx gamer && fail "$h defined gamer"
		inactive a | grep -q "bus='0x01'" || fail "a lost gamer migrating to $h"
	done
}

# A group mate the source did not have: libvirt's ABI check would refuse
# the added hostdev with an obscure error; pthook says what it is.
t_group_mate_the_source_lacked_refuses() {
	define_on_a
	migrate e && { fail "migrated to e: $(inactive e)"; return; }
	grep -qF "pthook: gamer: migrate: this host would give the guest 0000:65:00.2 too, which the incoming definition lacks" "$TMP/mig.out" ||
		fail "not pthook's reason: $(cat "$TMP/mig.out")"
	virsh -c "$(uri e)" list --all --name | grep -qx gamer && fail "e defined gamer"
	true
}

# check --json on each host: what each VM would get, by identity, for a
# fleet tool to compare (README: a loop over hosts with ssh)
t_check_json_compares_hosts() {
	local h
	for h in a b c; do
		PTHOOK_SYSFS=$TMP/$h/sys run -c "$CFG" check --json
		echo "$OUT" > "$TMP/$h.json"
	done
	python3 - "$TMP/a.json" "$TMP/b.json" "$TMP/c.json" <<'PY' || fail "check --json: $(cat "$TMP"/?.json)"
import json, sys
a, b, c = (json.load(open(f)) for f in sys.argv[1:])
ga, gb, gc = (d["vms"][0] for d in (a, b, c))
assert ga["name"] == "gamer" and ga["ok"] and gb["ok"] and not gc["ok"], (ga, gb, gc)
ident = lambda v: [(d["id"], d["subsystem"]) for d in v["assign"]]
assert ident(ga) == ident(gb) == [("10de:2204", "1458:403b"), ("10de:1aef", "1458:403b")], (ga, gb)
assert [d["address"] for d in ga["assign"]] == ["0000:01:00.0", "0000:01:00.1"], ga
assert [d["address"] for d in gb["assign"]] == ["0000:65:00.0", "0000:65:00.1"], gb
assert gc["assign"] == [] and "matches no device" in gc["errors"][0], gc
assert c["refused"] == 1 and a["refused"] == 0 and "host" in a, (a, c)
PY
}

run_tests
