#!/bin/bash
# Runs inside the test VM (tests/vm/run.sh): a real kernel with real
# IOMMU groups, real vfio-pci, the host's libvirtd and qemu, and pthook
# installed as /etc/libvirt/hooks/qemu.  Each scenario asserts the
# drivers the kernel reports in /sys/bus/pci/devices/*/driver.
set -u
P=/repo/build/pthook
NIC1=0000:01:00.0 VNET=0000:02:00.0 VRNG=0000:02:00.1 NIC2=0000:05:00.0 NVME=0000:07:00.0
pass=0 failn=0 FAILS=0
fail() { echo "    $*"; FAILS=$((FAILS + 1)); }
scenario() {	# scenario NAME: runs s_NAME
	FAILS=0
	"s_$1"
	if [ $FAILS = 0 ]; then echo "ok - $1"; pass=$((pass + 1)); else echo "not ok - $1"; failn=$((failn + 1)); fi
}
drv() { local l; l=$(readlink /sys/bus/pci/devices/$1/driver) && basename "$l" || echo none; }
override() { cat /sys/bus/pci/devices/$1/driver_override; }
expect_drv() { [ "$(drv "$1")" = "$2" ] || fail "$1 is on $(drv "$1"), expected $2${3:+ ($3)}"; }
# the driver comes back asynchronously after virsh destroy returns
wait_drv() { for _ in $(seq 50); do [ "$(drv "$1")" = "$2" ] && return; sleep 0.2; done; expect_drv "$@"; }

conf() { printf '%s\n' "$1" > /etc/pthook/pthook.ini; chmod 600 /etc/pthook/pthook.ini; }
hd() {	# hd ADDR: a managed PCI hostdev
	IFS=':.' read -r _ b s f <<<"$1"
	echo "<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x$b' slot='0x$s' function='0x$f'/></source></hostdev>"
}
define() {	# define NAME ADDR...: a small nested guest (TCG) with those hostdevs
	local name=$1 a devs=${EXTRA:-}; shift
	for a in "$@"; do devs="$devs$(hd "$a")"; done
	cat > /tmp/$name.xml <<XML
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>96</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $devs
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
XML
	virsh -q undefine "$name" >/dev/null 2>&1
	virsh -q define /tmp/$name.xml > /tmp/define.out 2>&1 || fail "define $name: $(cat /tmp/define.out)"
}
start() { virsh start "$1" > /tmp/start.out 2>&1; }
stop() { virsh destroy "$1" >/dev/null 2>&1; }

# --- setup: the host's libvirtd, configured for a guest without cgroups
mkdir -p /var/lib/libvirt/qemu /var/log/libvirt/qemu /var/cache/libvirt /run/libvirt /etc/pthook
cat /repo/tests/libvirt/qemu.conf.test >> /etc/libvirt/qemu.conf
rm -f /etc/libvirt/qemu/*.xml; rm -rf /etc/libvirt/hooks
mkdir -p /etc/libvirt/hooks
install -m 0755 $P /etc/libvirt/hooks/qemu
install -m 0644 /repo/build/pthook-core.so /etc/libvirt/hooks/pthook-core.so
chmod 755 /etc/pthook
conf '[vm "none"]
pci = 10de:1b81'
# systemd does not run here: the handoff's systemctl is a stand-in
# (tests/vm/systemctl), first on the daemon's PATH and so on its hooks'
mkdir -p /run/vmbin /run/units
install -m 0755 /repo/tests/vm/systemctl /run/vmbin/systemctl
export PATH=/run/vmbin:$PATH
/usr/sbin/libvirtd -d || { echo "not ok - libvirtd"; exit 1; }
export LIBVIRT_DEFAULT_URI=qemu:///system
for _ in $(seq 100); do virsh version >/dev/null 2>&1 && break; sleep 0.3; done

s_control_group_not_viable() {
	# a domain pthook does not manage: the kernel refuses the group
	define ctl $VNET
	start ctl && fail "ctl started"
	grep -qi "not viable" /tmp/start.out || fail "no 'not viable': $(cat /tmp/start.out)"
	wait_drv $VNET virtio-pci "libvirt gives back its own"
	expect_drv $VRNG virtio-pci "pthook touched nothing"
	[ -e /run/pthook/ctl.state ] && fail "pthook recorded ctl"
	virsh -q undefine ctl >/dev/null
}

cycle() {	# cycle NAME: start, check the group on vfio-pci, destroy, check it back
	start "$1" || { fail "start $1: $(cat /tmp/start.out)"; return; }
	expect_drv $VNET vfio-pci "assigned"
	expect_drv $VRNG vfio-pci "group mate"
	stop "$1"
	wait_drv $VNET virtio-pci "after destroy"
	wait_drv $VRNG virtio-pci "after destroy"
	[ -z "$(override $VRNG | grep -v '(null)')" ] || fail "driver_override left: $(override $VRNG)"
	[ -e /run/pthook/$1.state ] && fail "state left for $1"
}

s_group_detach() {
	conf '[vm "vnet"]
pci = 1af4:1041
group = detach'
	define vnet $VNET
	cycle vnet
	cycle vnet	# a second start works too
}

s_group_assign_apply() {
	conf '[vm "vall"]
pci = 1af4:1041'
	define vall $VNET
	$P --json --simulate /tmp/vall.xml > /tmp/plan.json
	grep -q '"add": \["0000:02:00.1"\]' /tmp/plan.json || fail "plan: $(cat /tmp/plan.json)"
	$P apply --vm vall -y > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	[ "$(virsh dumpxml --inactive vall | grep -c "<hostdev mode='subsystem' type='pci'")" = 2 ] ||
		fail "definition has not both functions"
	start vall || { fail "start vall: $(cat /tmp/start.out)"; return; }
	[ "$(virsh dumpxml vall | grep -c "<hostdev mode='subsystem' type='pci'")" = 2 ] ||
		fail "running guest has not both functions"
	expect_drv $VNET vfio-pci; expect_drv $VRNG vfio-pci
	stop vall
	wait_drv $VNET virtio-pci; wait_drv $VRNG virtio-pci
}

s_identical_nics() {
	conf '[vm "nic"]
pci = 8086:10d3'
	$P check nic > /tmp/check.out 2>&1 && fail "ambiguous rule accepted"
	grep -q "$NIC1 8086:10d3" /tmp/check.out && grep -q "$NIC2 8086:10d3" /tmp/check.out ||
		fail "candidates not listed: $(cat /tmp/check.out)"
	conf '[vm "nic"]
pci = 8086:10d3 index=1'
	$P check -v nic | grep -q "selects $NIC2" || fail "index=1 did not pick $NIC2"
	conf '[vm "nic"]
pci = 8086:10d3 slot=0'
	$P check -v nic | grep -q "selects $NIC1" || fail "slot=0 did not pick $NIC1"
}

s_stale_definition() {
	conf '[vm "nic"]
pci = 8086:10d3 slot=0'
	define nic $NIC2	# the definition points at the other card
	start nic && fail "stale definition started"
	grep -q "pthook: nic: hostdev $NIC2 holds $NIC2 8086:10d3" /tmp/start.out ||
		fail "refusal not in the virsh error: $(cat /tmp/start.out)"
	expect_drv $NIC1 e1000e "nothing touched"; expect_drv $NIC2 e1000e "nothing touched"
	$P apply --vm nic -y > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	start nic || { fail "start after apply: $(cat /tmp/start.out)"; return; }
	expect_drv $NIC1 vfio-pci; expect_drv $NIC2 e1000e
	stop nic
	wait_drv $NIC1 e1000e
}

s_list_json_matches_sysfs() {
	$P list --json > /tmp/list.json || fail "list failed"
	python3 - /tmp/list.json <<'PY' || fail "list --json disagrees with sysfs"
import json, os, sys
doc = json.load(open(sys.argv[1]))
seen = {d["address"]: (g["group"], d) for g in doc["groups"] for d in g["devices"]}
seen.update({d["address"]: (None, d) for d in doc["ungrouped"]})
base = "/sys/bus/pci/devices"
assert set(seen) == set(os.listdir(base)), "device sets differ"
for a, (g, d) in seen.items():
    p = os.path.join(base, a)
    rd = lambda f: open(os.path.join(p, f)).read().strip()
    grp = int(os.path.basename(os.readlink(p + "/iommu_group"))) if os.path.exists(p + "/iommu_group") else None
    drv = os.path.basename(os.readlink(p + "/driver")) if os.path.exists(p + "/driver") else None
    assert g == grp, (a, g, grp)
    assert d["driver"] == drv, (a, d["driver"], drv)
    assert d["class"] == rd("class")[2:], (a, d["class"])
    assert d["vendor"] == rd("vendor")[2:] and d["device"] == rd("device")[2:], a
PY
}

s_detach_sysfs_and_libvirt() {
	local mode
	for mode in sysfs libvirt; do
		conf "[global]
detach = $mode
[vm \"vnet\"]
pci = 1af4:1041
group = detach"
		define vnet $VNET
		cycle vnet
	done
}

s_crash_then_release() {
	conf '[global]
detach = sysfs
[vm "vnet"]
pci = 1af4:1041
group = detach'
	define vnet $VNET
	# prepare completes but the VM never starts and release never comes
	$P vnet prepare begin - < /tmp/vnet.xml || fail "prepare by hand"
	expect_drv $VRNG vfio-pci "after prepare"
	# left over: status says so, with the command, and exits 1
	$P status vnet > /tmp/status.out; local src=$?
	[ $src = 1 ] || fail "status exited $src: $(cat /tmp/status.out)"
	grep -q "^vnet: not running; LEFT OVER: pthook release vnet gives them back" /tmp/status.out &&
	grep -q "^  $VRNG  detached by pthook, goes back to virtio-pci, now on vfio-pci" /tmp/status.out ||
		fail "status: $(cat /tmp/status.out)"
	$P release vnet || fail "release"
	$P status vnet > /tmp/status.out || fail "status after release: $(cat /tmp/status.out)"
	expect_drv $VRNG virtio-pci "after release"
	# killed at an arbitrary point of prepare, then released
	for delay in 0.01 0.05 0.1; do
		$P vnet prepare begin - < /tmp/vnet.xml & local pid=$!
		sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
		$P release vnet || fail "release after kill at ${delay}s"
		expect_drv $VRNG virtio-pci "after kill at ${delay}s and release"
		[ -z "$(override $VRNG | grep -v '(null)')" ] || fail "override left after kill at ${delay}s"
	done
}

s_moved_device_keeps_its_settings() {
	# the definition was written when the NIC sat at 09:00.0; after
	# apply its element points at where it is now, boot order and guest
	# address kept, and the nested guest starts with it
	conf '[vm "moved"]
pci = 8086:10d3 slot=0'
	EXTRA="<hostdev mode='subsystem' type='pci' managed='yes'><source><address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/></source><boot order='1'/><address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/></hostdev>" \
		define moved
	start moved && fail "a definition pointing at 09:00.0 started"
	$P apply --vm moved -y > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	virsh dumpxml --inactive moved > /tmp/moved.xml
	grep -q "bus='0x01' slot='0x00' function='0x0'" /tmp/moved.xml || fail "source not rewritten"
	grep -q "<boot order='1'/>" /tmp/moved.xml || fail "boot order lost: $(cat /tmp/moved.xml)"
	grep -q "bus='0x00' slot='0x07' function='0x0'" /tmp/moved.xml || fail "guest address lost"
	start moved || { fail "start after apply: $(cat /tmp/start.out)"; return; }
	expect_drv $NIC1 vfio-pci
	virsh dumpxml moved | grep -q "<boot order='1'/>" || fail "running guest lacks its boot order"
	stop moved
	wait_drv $NIC1 e1000e
	virsh -q undefine moved >/dev/null
}

s_sriov_vf_named_by_its_pf() {
	# QEMU's NVMe controller with SR-IOV: the kernel creates real VFs
	local pf=/sys/bus/pci/devices/$NVME vf
	[ -e $pf/sriov_totalvfs ] || { fail "no SR-IOV NVMe at $NVME"; return; }
	[ "$(drv $NVME)" = nvme ] || { fail "the PF is on $(drv $NVME): $(dmesg | grep -i nvme | tail -5)"; return; }
	# VFs meant for guests: no host driver probes them (an offline NVMe
	# VF would keep the nvme driver waiting)
	echo 0 > $pf/sriov_drivers_autoprobe
	conf '[vm "vfvm"]
pci = 1b36:0010 slot=0-5 vf=1 numvfs=2'
	$P check -v vfvm > /tmp/check.out 2>&1 || fail "check: $(cat /tmp/check.out)"
	grep -q "create 2 VFs on $NVME" /tmp/check.out || fail "no creation planned: $(cat /tmp/check.out)"
	define vfvm
	# apply needs the VF's address: it creates them, then defines
	$P apply --vm vfvm -y > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	[ "$(cat $pf/sriov_numvfs)" = 2 ] || { fail "apply made $(cat $pf/sriov_numvfs) VFs"; return; }
	vf=$(basename "$(readlink $pf/virtfn1)")
	virsh dumpxml --inactive vfvm | grep -q "function='0x${vf##*.}'" ||
		fail "VF 1 ($vf) not in the definition: $(cat /tmp/apply.out)"
	$P list --json | python3 -c '
import json, sys
d = {x["address"]: x for g in json.load(sys.stdin)["groups"] for x in g["devices"]}
v = d[sys.argv[1]]
assert (v["pf"], v["vf"]) == (sys.argv[2], 1), v
assert d[sys.argv[2]]["sriov"]["numvfs"] == 2, d[sys.argv[2]]
' "$vf" "$NVME" || fail "list --json: VF links differ from sysfs"
	# as after a reboot: no VFs; the start creates them again, VF 1 at
	# the same address, and the guest gets it
	echo 0 > $pf/sriov_numvfs
	[ -e /sys/bus/pci/devices/$vf ] && fail "VFs survived sriov_numvfs=0"
	start vfvm || { fail "start: $(cat /tmp/start.out)"; return; }
	[ "$(cat $pf/sriov_numvfs)" = 2 ] || fail "prepare made $(cat $pf/sriov_numvfs) VFs"
	expect_drv "$vf" vfio-pci "VF 1 in the guest"
	expect_drv $NVME nvme "the PF stays with the host"
	# the PF is not taken while its VF is in a running guest
	conf '[vm "vfvm"]
pci = 1b36:0010 slot=0-5 vf=1 numvfs=2
[vm "pfvm"]
pci = 1b36:0010 slot=0-5 index=0'
	define pfvm $NVME
	start pfvm && fail "the PF of a VF in a running guest started"
	grep -q "is the PF of $vf, which running VM 'vfvm' holds" /tmp/start.out ||
		fail "PF refusal: $(cat /tmp/start.out)"
	expect_drv $NVME nvme "after the refusal"
	virsh -q undefine pfvm >/dev/null
	stop vfvm
	wait_drv "$vf" none "after destroy (autoprobe off)"
	[ "$(cat $pf/sriov_numvfs)" = 2 ] || fail "VFs gone after the guest stopped"
	[ -e /run/pthook/vfvm.state ] && fail "state left for vfvm"
	virsh -q undefine vfvm >/dev/null
	echo 0 > $pf/sriov_numvfs
}

s_holder_refused_then_started() {
	# a process with the NVMe's controller node open: refused by name,
	# nothing detached; once it is gone the start goes through
	local node pid
	node=$(sed -n 's/^DEVNAME=//p' /sys/bus/pci/devices/$NVME/nvme/nvme*/uevent | head -1)
	[ -c "/dev/$node" ] || { fail "no controller node for $NVME (got '$node')"; return; }
	conf '[vm "hold"]
pci = 1b36:0010 slot=0-5 index=0'
	define hold $NVME
	sleep 600 < /dev/$node & pid=$!
	start hold && fail "started while sleep held /dev/$node"
	grep -q "pthook: hold: $NVME is held by sleep (pid $pid) via /dev/$node; stop it first" /tmp/start.out ||
		fail "refusal: $(cat /tmp/start.out)"
	expect_drv $NVME nvme "after the refusal"
	$P check hold > /tmp/check.out 2>&1
	grep -q "held by sleep (pid $pid)" /tmp/check.out || fail "check: $(cat /tmp/check.out)"
	kill $pid; wait $pid 2>/dev/null
	start hold || { fail "start after the holder left: $(cat /tmp/start.out)"; return; }
	expect_drv $NVME vfio-pci "in the guest"
	stop hold
	wait_drv $NVME nvme "after destroy"
	virsh -q undefine hold >/dev/null
}

vtcons() { for v in /sys/class/vtconsole/vtcon*; do echo "$(basename $v) $(cat $v/bind) $(cat $v/name);"; done; }
fbcon_bound() { vtcons | grep -q ' 1 (M) frame buffer device'; }
s_single_gpu_handoff() {
	# the guest's console GPU (QEMU's VGA with bochs and fbcon), a
	# stand-in display manager holding its card0
	local gpu gdrv vt= v
	gpu=$(grep -l 0x1111 /sys/bus/pci/devices/*/device | xargs -n1 dirname | xargs -n1 basename | head -1)
	[ -n "$gpu" ] || { fail "no VGA device"; return; }
	gdrv=$(drv $gpu)
	[ "$gdrv" != none ] || { fail "$gpu has no driver: $(dmesg | grep -i bochs | tail -3)"; return; }
	[ "$(cat /sys/bus/pci/devices/$gpu/boot_vga)" = 1 ] || fail "$gpu is not the boot VGA device"
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q 'frame buffer' $v/name && [ "$(cat $v/bind)" = 1 ] && vt=$v
	done
	[ -n "$vt" ] || { fail "fbcon is not on $gpu: $(grep . /sys/class/vtconsole/*/name)"; return; }
	systemctl start display-manager.service
	systemctl is-active --quiet display-manager.service || { fail "no display manager"; return; }
	conf '[vm "desk"]
pci = 1234:1111'
	define desk $gpu
	start desk && fail "the console GPU went without console = handoff"
	grep -q "'console = handoff' in the VM's section hands it over" /tmp/start.out ||
		fail "refusal: $(cat /tmp/start.out)"
	conf '[vm "desk"]
pci = 1234:1111
console = handoff'
	start desk && fail "handed over with no other way into the host"
	grep -q "no sshd (no process, nothing listening on port 22) and no getty on a serial line" /tmp/start.out ||
		fail "reachability: $(cat /tmp/start.out)"
	systemctl is-active --quiet display-manager.service || fail "the refusal stopped the display manager"
	# an sshd (by name) is a way in
	cp /bin/sleep /run/vmbin/sshd; /run/vmbin/sshd 900 & local sshd=$!
	$P check -v desk > /tmp/check.out 2>&1
	grep -q "handoff: unbind fbcon from $(basename $vt)" /tmp/check.out || fail "check: $(cat /tmp/check.out)"
	start desk || { fail "handoff start: $(cat /tmp/start.out)"; kill $sshd; return; }
	expect_drv $gpu vfio-pci "in the guest"
	systemctl is-active --quiet display-manager.service && fail "the display manager still runs"
	# fbcon unbound, and gone with the GPU's framebuffer
	fbcon_bound && fail "fbcon still bound while the guest has the GPU: $(vtcons)"
	stop desk
	wait_drv $gpu $gdrv "after destroy"
	fbcon_bound || fail "fbcon not back on the console: $(vtcons)"
	[ -e /sys/bus/pci/devices/$gpu/graphics ] || fail "no framebuffer on $gpu again"
	systemctl is-active --quiet display-manager.service || fail "the display manager did not start again"
	[ -e /run/pthook/desk.state ] && fail "state left: $(cat /run/pthook/desk.state)"
	kill $sshd; wait $sshd 2>/dev/null
	systemctl stop display-manager.service
	virsh -q undefine desk >/dev/null
}

# walk_points VM VTCON: the crash walk (tests/crash/walk.sh) against the
# real kernel: every write, rename and unlink of the VM's prepare (the
# most any one process makes: strace counts per process), killed
# (SIGKILL) or failed (EIO; EROFS for a rename or unlink) in turn; after
# each, status does not crash, release (the hook's, the command, in
# turn) brings every function's driver, driver_override and
# reset_method, the vtconsole binding and the display manager back to
# the snapshot before, a second release changes nothing, the VM's
# prepare works again.  The count goes to stdout.  Programs pthook runs
# are let go at their exec (-b execve): a display manager that a
# rollback starts would keep strace waiting; pthook's own processes,
# the bounded writes' children included, are walked.
walk_points() {
	local vm=$1 vt=$2 before c n k how rc walked=0 lost=0 msg
	host_now() { /repo/build/tools/hoststate /sys "$vt"; systemctl is-active display-manager.service && echo dm; }
	# back: the host as before, within 5 s (the display manager and
	# fbcon come back asynchronously)
	back() { for _ in $(seq 25); do [ "$(host_now)" = "$before" ] && return; sleep 0.2; done; false; }
	# (no /dev/fd in the guest for <(...))
	left() { echo "$before" > /tmp/before.txt; host_now > /tmp/now.txt; diff /tmp/before.txt /tmp/now.txt | tr '\n' ' '; }
	before=$(host_now)
	strace -f -b execve -qq -o /tmp/count.log -e trace=write,rename,unlink $P $vm prepare begin - < /tmp/$vm.xml > /dev/null 2>&1 ||
		{ fail "$vm: the clean prepare failed"; return; }
	$P $vm release end - < /tmp/$vm.xml > /dev/null 2>&1
	back || { fail "$vm: the clean run left: $(left)"; return; }
	for c in write rename unlink; do
		n=$(grep -E "^[0-9]+ +$c\(" /tmp/count.log | awk '{n[$1]++} END {m=0; for (p in n) if (n[p] > m) m = n[p]; print m}')
		for ((k = 1; k <= n; k++)); do
			for how in signal=KILL error=EIO; do
				[ $how = error=EIO ] && [ $c != write ] && how=error=EROFS
				strace -f -b execve -qq -o /dev/null -e trace=$c -e inject=$c:$how:when=$k \
					$P $vm prepare begin - < /tmp/$vm.xml > /dev/null 2>&1
				walked=$((walked + 1)) msg=
				$P status $vm > /tmp/st.out 2>&1; rc=$?
				[ $rc -le 1 ] || msg="status exit $rc"
				if [ $((k % 2)) = 0 ]; then $P $vm release end - < /tmp/$vm.xml > /dev/null 2>&1
				else $P release $vm > /dev/null 2>&1; fi
				[ -z "$msg" ] && ! back && msg="release left $(left)"
				$P $vm release end - < /tmp/$vm.xml > /dev/null 2>&1; rc=$?
				[ -z "$msg" ] && { [ $rc = 0 ] && [ "$(host_now)" = "$before" ]; } || msg=${msg:-"second release: exit $rc"}
				$P $vm prepare begin - < /tmp/$vm.xml > /tmp/p.out 2>&1; rc=$?
				$P $vm release end - < /tmp/$vm.xml > /dev/null 2>&1
				[ -z "$msg" ] && [ $rc != 0 ] && msg="the next prepare exits $rc: $(cat /tmp/p.out)"
				[ -z "$msg" ] && ! back && msg="the next run left $(left)"
				[ -n "$msg" ] && { lost=$((lost + 1)); fail "$vm $c#$k $how: $msg"; }
			done
		done
	done
	echo "    crash points ($vm, real kernel): $walked walked, $lost lost"
	[ $walked -ge 10 ] || fail "$vm: only $walked points"
}

s_kill_points_of_a_real_detach_and_handoff() {
	local gpu vt= v sshd
	conf '[global]
detach = sysfs
[vm "vnet"]
pci = 1af4:1041
group = detach'
	define vnet $VNET
	walk_points vnet ""
	virsh -q undefine vnet >/dev/null
	gpu=$(grep -l 0x1111 /sys/bus/pci/devices/*/device | xargs -n1 dirname | xargs -n1 basename | head -1)
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q 'frame buffer' $v/name && [ "$(cat $v/bind)" = 1 ] && vt=$v
	done
	[ -n "$gpu" ] && [ -n "$vt" ] || { fail "no console GPU with fbcon"; return; }
	systemctl start display-manager.service
	cp /bin/sleep /run/vmbin/sshd; /run/vmbin/sshd 900 & sshd=$!
	conf '[global]
detach = sysfs
[vm "desk"]
pci = 1234:1111
console = handoff'
	define desk $gpu
	walk_points desk "$vt"
	kill $sshd; wait $sshd 2>/dev/null
	systemctl stop display-manager.service
	virsh -q undefine desk >/dev/null
}

s_reset_method_set_and_restored() {
	# a rule's reset= holds while the guest runs, the kernel's own after
	local rm=/sys/bus/pci/devices/$NIC1/reset_method before
	[ -e $rm ] || { fail "no reset_method on $NIC1 (kernel before 5.15?)"; return; }
	before=$(cat $rm)
	conf '[vm "rst"]
pci = 8086:10d3 slot=0 reset=bus'
	define rst $NIC1
	start rst || { fail "start rst: $(cat /tmp/start.out)"; return; }
	[ "$(cat $rm)" = bus ] || fail "reset_method is '$(cat $rm)' while the guest runs"
	expect_drv $NIC1 vfio-pci
	stop rst
	wait_drv $NIC1 e1000e
	[ "$(cat $rm)" = "$before" ] || fail "reset_method '$(cat $rm)' after destroy, was '$before'"
	virsh -q undefine rst >/dev/null
}

restart_libvirtd() {
	local pid; pid=$(pidof libvirtd)
	[ -n "$pid" ] || fail "no libvirtd running"
	kill $pid
	for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -0 $pid 2>/dev/null && fail "libvirtd did not stop"
	/usr/sbin/libvirtd -d || fail "libvirtd did not start again"
}
running() { virsh domstate "$1" 2>/dev/null | grep -q '^running'; }

s_autostart_and_broken_config() {
	# autostart: the daemon answers no client until it is done, so
	# pthook must not wait for it (libvirt has 30 s here)
	conf '[global]
timeout = 30
[vm "vnet"]
pci = 1af4:1041
group = detach'
	define vnet $VNET
	virsh -q autostart vnet >/dev/null || fail "autostart"
	local t0=$SECONDS
	# libvirt autostarts once a host boot (virDriverShouldAutostart): this
	# restart stands for a boot
	rm -f /run/libvirt/qemu/autostarted
	restart_libvirtd
	until_ok 60 running vnet || { fail "vnet did not autostart: $(virsh domstate --reason vnet 2>&1);" \
		"$(tail -5 /var/log/libvirt/qemu/vnet.log 2>&1)"; virsh -q autostart --disable vnet; return; }
	[ $((SECONDS - t0)) -lt 25 ] || fail "autostart took $((SECONDS - t0)) s: pthook waited for libvirt"
	expect_drv $VRNG vfio-pci "group mate, detached during autostart"
	virsh -q autostart --disable vnet >/dev/null
	# a typo and a world-writable file while it runs: libvirtd's restart
	# runs 'reconnect begin', and a failing hook kills the guest
	echo 'typo = 1' >> /etc/pthook/pthook.ini
	chmod 666 /etc/pthook/pthook.ini
	restart_libvirtd
	for _ in $(seq 100); do virsh version >/dev/null 2>&1 && break; sleep 0.3; done
	sleep 1
	running vnet || fail "the guest died on libvirtd's restart: $(virsh domstate vnet 2>&1)"
	# and release gives the group mate back from the record alone
	stop vnet
	wait_drv $VRNG virtio-pci "after destroy with a broken config"
	[ -e /run/pthook/vnet.state ] && fail "state left for vnet"
	chmod 600 /etc/pthook/pthook.ini
	virsh -q undefine vnet >/dev/null
}

# qmp add DRIVER ID BUS / qmp del ID: tests/vm/qmp.py on the host plugs
# a device into this VM, or pulls it out
qmp() { echo "PTHOOK_QMP $*"; }
# until SECONDS CMD...: wait for CMD to succeed
until_ok() { local n=$(($1 * 5)); shift; while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done; return 1; }
live_usb() { [ "$(virsh dumpxml "$1" | grep -c "<hostdev mode='subsystem' type='usb'")" = "$2" ]; }
usb_present() { grep -qs "$1" /sys/bus/usb/devices/*/product; }
usb_gone() { ! usb_present "$1"; }

s_usb_hotplug() {
	# QEMU's USB keyboard and mouse are both 0627:0001: name= tells them apart
	conf '[vm "usbvm"]
hotplug = yes
usb = 0627:0001 name=keyboard'
	define usbvm
	start usbvm || { fail "start usbvm: $(cat /tmp/start.out)"; return; }
	qmp add usb-kbd kbd1 xhci.0
	until_ok 30 usb_present Keyboard || { fail "the keyboard never showed up in sysfs"; return; }
	$P watch -v --attach-connected > /tmp/watch.log 2>&1 & local wp=$!
	until_ok 60 live_usb usbvm 1 || fail "--attach-connected: not attached: $(cat /tmp/watch.log)"
	qmp add usb-mouse mouse1 xhci.0
	until_ok 30 usb_present Mouse || fail "the mouse never showed up"
	qmp del kbd1
	until_ok 60 live_usb usbvm 0 || fail "unplugged keyboard still attached: $(cat /tmp/watch.log)"
	qmp add usb-kbd kbd2 xhci.0
	until_ok 60 live_usb usbvm 1 || fail "plugged-in keyboard not attached: $(cat /tmp/watch.log)"
	sleep 2
	live_usb usbvm 1 || fail "the mouse was attached too"
	virsh dumpxml usbvm | grep -q "<vendor id='0x0627'/>" || fail "not the keyboard"
	grep -q "usbvm: usb .* attached (rule line 3)" /tmp/watch.log || fail "no log: $(cat /tmp/watch.log)"
	# list and status tell what watch attached (libvirt's status file,
	# the VM's record)
	$P list | grep -q "0627:0001  usbvm .*Keyboard.*\[attached to usbvm by pthook watch\]" ||
		fail "list: $($P list | sed -n '/^USB/,$p')"
	$P list | grep "0627:0001" | grep -v Keyboard | grep -q "attached" && fail "list: the mouse attached"
	$P status usbvm | grep -q "^  usb [0-9.-]*  attached by pthook watch" || fail "status: $($P status usbvm)"
	kill $wp; wait $wp 2>/dev/null
	stop usbvm
	qmp del kbd2; qmp del mouse1
	virsh -q undefine usbvm >/dev/null
}

s_pci_hotplug() {
	# QEMU's NVMe controller (Red Hat's ids since QEMU 5.2): PCIe, so
	# libvirt can give it a root port.  The SR-IOV one on rp5 has the
	# same ids: the rule names the hot-plug port's physical slot
	conf '[vm "pcivm"]
hotplug = yes
pci = 1b36:0010 slot=0-4'
	# spare root ports in the nested guest: PCIe hot-plug needs a slot
	EXTRA="<controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'/>
    <controller type='pci' index='2' model='pcie-root-port'/>
    <controller type='pci' index='3' model='pcie-root-port'/>
    <controller type='pci' index='4' model='pcie-root-port'/>" define pcivm
	start pcivm || { fail "start pcivm: $(cat /tmp/start.out)"; return; }
	# first held: plugged in before watch runs, nvme binds it and a
	# process opens it; announced again, it is refused as a start would
	# be, nothing unbound
	local A=0000:06:00.0 node hp wp
	qmp add nvme nvme9 rp4 serial=pthook9
	nvme_up() { [ "$(drv $A)" = nvme ] && ls /sys/bus/pci/devices/$A/nvme/nvme* >/dev/null 2>&1; }
	until_ok 60 nvme_up || { fail "the NVMe never came up on nvme: $(drv $A)"; return; }
	node=$(sed -n 's/^DEVNAME=//p' /sys/bus/pci/devices/$A/nvme/nvme*/uevent | head -1)
	sleep 600 < /dev/$node & hp=$!
	$P watch -v > /tmp/watchp.log 2>&1 & wp=$!
	until_ok 10 grep -q watching /tmp/watchp.log
	echo add > /sys/bus/pci/devices/$A/uevent
	until_ok 30 grep -q "pthook: pcivm: $A is held by sleep (pid $hp) via /dev/$node; stop it first" /tmp/watchp.log ||
		fail "held NVMe not refused: $(cat /tmp/watchp.log)"
	expect_drv $A nvme "held"
	kill $hp; wait $hp 2>/dev/null
	# then pulled out and plugged in again, free: attached
	qmp del nvme9
	gone() { [ ! -e /sys/bus/pci/devices/$A ]; }
	until_ok 60 gone || { fail "the NVMe never left"; kill $wp; return; }
	sleep 3	# QEMU frees the port once the guest has powered the slot off
	qmp add nvme nvme10 rp4 serial=pthook10
	until_ok 60 grep -q "pci $A attached" /tmp/watchp.log ||
		fail "hot-plugged NVMe not attached: $(cat /tmp/watchp.log)"
	virsh dumpxml pcivm > /tmp/live.xml
	grep -A4 "<hostdev mode='subsystem' type='pci'" /tmp/live.xml | grep -q "bus='0x06' slot='0x00'" ||
		fail "not in the live definition: $(grep -A4 '<hostdev' /tmp/live.xml)"
	expect_drv $A vfio-pci "attached"
	kill $wp; wait $wp 2>/dev/null
	stop pcivm
	virsh -q undefine pcivm >/dev/null
}

# udevd_up: Debian's udevd (unpacked by build.sh) on this root, with its
# own rules and whatever is in /etc/udev/rules.d; its log in
# /tmp/udevd.log.  Stopped with udevadm control --exit.  udevadm ignores
# every request in a chroot (this root is one) unless told not to
export SYSTEMD_IGNORE_CHROOT=1
udevd_up() {
	local U=/repo/build/vm/udev
	[ -x $U/bin/udevadm ] || { fail "no udev in $U (tests/vm/build.sh)"; return 1; }
	tar -C $U -c lib bin etc | tar -C / -x --keep-directory-symlink
	/lib/systemd/systemd-udevd --daemon --resolve-names=never --debug > /tmp/udevd.log 2>&1 ||
		{ fail "udevd did not start: $(cat /tmp/udevd.log)"; return 1; }
}

# The boot-time claim, as at boot: the NVMe appears (removed, then a
# rescan) while its driver is not loaded, and the real udevd (Debian's,
# unpacked by build.sh) handles the event with its own rules and
# pthook's: 60-pthook.rules claims it, 80-drivers.rules loads nvme,
# which must never bind it.
s_early_claim_at_boot() {
	expect_drv $NVME nvme "before"
	# the hot-plug scenario's NVMe (0-4) has the same ids
	conf '[vm "early"]
early = yes
pci = 1b36:0010 slot=0-5'
	# the installation as the tier made it: the hook a copy of this
	# pthook, libvirtd started after it; and no rule file for udev yet
	PTHOOK_UDEV_RULES=/etc/udev/rules.d/60-pthook.rules $P check --install > /tmp/ci.out 2>&1
	grep -q "early has early = yes but /etc/udev/rules.d/60-pthook.rules is missing" /tmp/ci.out ||
		fail "check --install: $(cat /tmp/ci.out)"
	grep -q "is not a copy\|newer than\|no hook" /tmp/ci.out && fail "check --install: $(cat /tmp/ci.out)"
	$P check early > /tmp/check.out 2>&1
	grep -q "early: $NVME is claimed early" /tmp/check.out || fail "check: $(cat /tmp/check.out)"
	mkdir -p /etc/udev/rules.d
	sed "s,/usr/sbin/pthook,$P," /repo/etc/60-pthook.rules > /etc/udev/rules.d/60-pthook.rules
	echo 1 > /sys/bus/pci/devices/$NVME/remove
	modprobe -r nvme || fail "cannot unload nvme: $(lsmod | grep nvme)"
	dmesg -C
	udevd_up || return
	echo 1 > /sys/bus/pci/rescan
	udevadm settle -t 60 || fail "udev did not settle"
	nvme_loaded() { lsmod | grep -q '^nvme '; }
	until_ok 20 nvme_loaded || fail "udev did not load nvme (80-drivers.rules did not run): $(sed -n '/kmod load/,$p' /tmp/udevd.log | head -30)"
	udevadm control --exit
	expect_drv $NVME vfio-pci "claimed at boot"
	[ "$(override $NVME)" = vfio-pci ] || fail "override: $(override $NVME)"
	dmesg | grep -q "nvme.*$NVME\|$NVME.*nvme" && fail "it met nvme: $(dmesg | grep nvme)"
	# a VM's run (libvirt's managed reattach at its end) leaves it there
	define early $NVME
	start early || fail "start: $(cat /tmp/start.out)"
	stop early
	wait_drv $NVME vfio-pci "after the VM"
	virsh -q undefine early >/dev/null
	# back to the host for whatever runs next
	rm -f /etc/udev/rules.d/60-pthook.rules
	echo $NVME > /sys/bus/pci/drivers/vfio-pci/unbind
	echo > /sys/bus/pci/devices/$NVME/driver_override
	echo $NVME > /sys/bus/pci/drivers_probe
	wait_drv $NVME nvme "given back by hand"
}

# Input devices by evdev (issue #21), the kernel's own: this VM's PS/2
# keyboard (i8042: to Linux, a laptop's built-in keyboard) named by the
# by-path link the real udevd makes, and keyboards made through uinput
# while the guest runs.
qemu_holds() {	# qemu_holds VM EVENT: the VM's QEMU has /dev/input/EVENT open
	local pid; pid=$(cat /run/libvirt/qemu/$1.pid 2>/dev/null) || return 1
	ls -l /proc/$pid/fd 2>/dev/null | grep -q "/dev/input/$2\$"
}
uinput() {	# uinput N NAME: a uinput keyboard; its event node in /tmp/uin$N, its pid in UP
	/repo/build/tools/uinputdev keyboard "$2" > /tmp/uin$1 & UP=$!
	until_ok 10 test -s /tmp/uin$1 || fail "uinputdev: nothing in /tmp/uin$1"
}
s_evdev_inputs() {
	local kbd link=/dev/input/by-path/platform-i8042-serio-0-event-kbd ev1 ev2 wp up1 UP
	modprobe evdev && modprobe uinput || { fail "cannot load evdev and uinput"; return; }
	kbd=$(grep -l "AT Translated Set 2 keyboard" /sys/class/input/event*/device/name | head -1)
	[ -n "$kbd" ] || { fail "no AT keyboard: $(cat /sys/class/input/*/device/name)"; return; }
	kbd=${kbd#/sys/class/input/}; kbd=${kbd%%/*}
	udevd_up || return
	echo add > /sys/class/input/$kbd/uevent
	udevadm settle -t 30 || fail "udev did not settle"
	[ "$(readlink -f $link)" = /dev/input/$kbd ] || fail "udev made no $link: $(ls -l /dev/input/by-path)"
	conf '[vm "kbdvm"]
hotplug = yes
input = bus=i8042 kind=keyboard'
	$P list | grep -q "^  $kbd .*kbdvm .*\[$link\]" || fail "list: $($P list | sed -n '/^Input/,$p')"
	define kbdvm
	$P apply -y --vm kbdvm > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	virsh dumpxml --inactive kbdvm | grep -q "<source dev='$link' grab='all' repeat='on'/>" ||
		fail "definition: $(virsh dumpxml --inactive kbdvm | grep -A2 '<input')"
	start kbdvm || { fail "start kbdvm: $(cat /tmp/start.out)"; return; }
	qemu_holds kbdvm $kbd || fail "QEMU does not hold $kbd: $(ls -l /proc/$(cat /run/libvirt/qemu/kbdvm.pid)/fd)"
	# keyboards that appear while the guest runs: libvirt 9.0 cannot
	# hot-plug them (nor can any libvirt yet); watch says so, once
	conf '[vm "kbdvm"]
hotplug = yes
input = bus=i8042 kind=keyboard
input = name="^pthook test keyboard$"'
	$P watch -v > /tmp/watchi.log 2>&1 & wp=$!
	until_ok 10 grep -q watching /tmp/watchi.log
	uinput 1 "pthook test keyboard"; up1=$UP; ev1=$(cat /tmp/uin1)
	until_ok 30 grep -q "kbdvm: input $ev1 'pthook test keyboard' (virtual keyboard).*: libvirt [0-9.]* cannot hot-plug evdev inputs" /tmp/watchi.log ||
		fail "watch, first keyboard: $(cat /tmp/watchi.log)"
	kill $up1
	uinput 2 "pthook test keyboard"; ev2=$(cat /tmp/uin2)
	until_ok 30 grep -q "kbdvm: input $ev2 .*libvirt cannot hot-plug evdev inputs (said above)" /tmp/watchi.log ||
		fail "watch, second keyboard: $(cat /tmp/watchi.log)"
	[ "$(grep -c 'Said once' /tmp/watchi.log)" = 1 ] || fail "said more than once: $(cat /tmp/watchi.log)"
	running kbdvm || fail "kbdvm stopped: $(virsh domstate kbdvm)"
	kill $wp; wait $wp 2>/dev/null
	# the way out watch names: the definition, and the next start
	$P apply -y --vm kbdvm > /tmp/apply.out 2>&1 || fail "apply: $(cat /tmp/apply.out)"
	grep -q "warning: $ev2 'pthook test keyboard' .*has no link in /dev/input/by-id or by-path" /tmp/apply.out ||
		fail "apply, no warning: $(cat /tmp/apply.out)"
	virsh dumpxml --inactive kbdvm | grep -q "<source dev='/dev/input/$ev2' grab='all' repeat='on'/>" ||
		fail "definition: $(virsh dumpxml --inactive kbdvm | grep -A2 '<input')"
	stop kbdvm
	start kbdvm || fail "restart kbdvm: $(cat /tmp/start.out)"
	qemu_holds kbdvm "$ev2" || fail "QEMU does not hold $ev2"
	qemu_holds kbdvm $kbd || fail "QEMU does not hold $kbd after the restart"
	stop kbdvm
	kill $UP
	virsh -q undefine kbdvm >/dev/null
	udevadm control --exit
}

# scenarios.sh [NAME...]: those scenarios only (a payload of your own:
# exec tests/vm/scenarios.sh NAME)
for s in ${@:-control_group_not_viable group_detach group_assign_apply identical_nics \
    stale_definition list_json_matches_sysfs detach_sysfs_and_libvirt crash_then_release \
    usb_hotplug pci_hotplug moved_device_keeps_its_settings autostart_and_broken_config \
    sriov_vf_named_by_its_pf holder_refused_then_started reset_method_set_and_restored \
    single_gpu_handoff early_claim_at_boot evdev_inputs kill_points_of_a_real_detach_and_handoff}; do
	scenario $s
done
echo "vm: $pass passed, $failn failed"
[ $failn = 0 ]
