#!/bin/bash
# tests/vm/run.sh [PAYLOAD]: boot Debian's kernel under qemu (TCG) on q35
# with an emulated Intel IOMMU, and run PAYLOAD (default
# tests/vm/scenarios.sh, a path in the repository) in the guest with the
# host's /usr and /etc.  Output in build/vm/out: stdout.txt, stderr.txt,
# console.log.  Exit status: the payload's; 124 on timeout.
#
# Topology (IOMMU groups as the kernel forms them; see README):
#   rp1 (slot 1)  e1000e 8086:10d3                  alone
#   rp2 (slot 2)  virtio-net .0 + virtio-rng .1     one group, 2 endpoints
#   rp3 (slot 3)  x3130 switch, downstream port (slot 11) with an e1000e
#                 identical to rp1's: port + NIC in one group
#   rp4 (slot 4)  empty: PCI hot-plug lands here (tests/vm/qmp.py)
#   rp5 (slot 5)  NVMe with SR-IOV (2 VFs at most, none at boot)
#   00:05-07      virtio-9p shares (host /usr, /etc, the repository)
#   00:08         qemu-xhci: USB hot-plug lands here
#   00:09         QEMU's standard VGA (1234:1111): the boot VGA device,
#                 bochs DRM with fbcon on it, the single-GPU handoff's GPU
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$ROOT/build/vm
PAYLOAD=${1:-tests/vm/scenarios.sh}
TIMEOUT=${VM_TIMEOUT:-900}
"$ROOT/tests/vm/build.sh" >&2
OUT=$W/out; rm -rf "$OUT"; mkdir -p "$OUT"
DEV=(
	-device intel-iommu,intremap=on,caching-mode=on
	-device pcie-root-port,id=rp1,bus=pcie.0,addr=02.0,multifunction=on,chassis=1,slot=1
	-device pcie-root-port,id=rp2,bus=pcie.0,addr=02.1,chassis=2,slot=2
	-device pcie-root-port,id=rp3,bus=pcie.0,addr=02.2,chassis=3,slot=3
	-device pcie-root-port,id=rp4,bus=pcie.0,addr=02.3,chassis=4,slot=4
	-device pcie-root-port,id=rp5,bus=pcie.0,addr=02.4,chassis=5,slot=5
	-device e1000e,bus=rp1,netdev=n1,mac=52:54:00:00:00:01 -netdev user,id=n1,restrict=on
	-device virtio-net-pci,bus=rp2,addr=00.0,multifunction=on,netdev=n2,mac=52:54:00:00:00:02
	-netdev user,id=n2,restrict=on
	-device virtio-rng-pci,bus=rp2,addr=00.1
	-device x3130-upstream,id=sw,bus=rp3
	-device xio3130-downstream,id=swd1,bus=sw,chassis=11,slot=11
	-device e1000e,bus=swd1,netdev=n3,mac=52:54:00:00:00:03 -netdev user,id=n3,restrict=on
	-fsdev local,id=fsusr,path=/usr,security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=fsusr,mount_tag=hostusr,bus=pcie.0,addr=05.0
	-fsdev local,id=fsetc,path=/etc,security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=fsetc,mount_tag=hostetc,bus=pcie.0,addr=06.0
	-fsdev local,id=fsrepo,path=$ROOT,security_model=none,readonly=on
	-device virtio-9p-pci,fsdev=fsrepo,mount_tag=repo,bus=pcie.0,addr=07.0
	-device qemu-xhci,id=xhci,bus=pcie.0,addr=08.0
	-device VGA,bus=pcie.0,addr=09.0
	-device nvme-subsys,id=nvmes,nqn=pthook-sriov
	-device nvme,serial=pthook-pf,subsys=nvmes,bus=rp5,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2
)
# the guest asks for devices to be plugged in and out on its stdout
rm -f "$W/qmp.sock"
python3 "$ROOT/tests/vm/qmp.py" "$W/qmp.sock" "$OUT/stdout.txt" 2> "$OUT/qmp.log" &
QMP=$!
set +e
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -machine q35 -cpu max -m 2048 -smp 2 \
	-display none -vga none -no-reboot -monitor none -qmp unix:"$W/qmp.sock",server=on,wait=off \
	-kernel "$W/vmlinuz" -initrd "$W/base.cpio.gz" \
	-append "console=ttyS0 intel_iommu=on iommu=pt panic=-1 loglevel=4 pthook.run=$PAYLOAD" \
	-serial file:"$OUT/console.log" -serial file:"$OUT/stdout.txt" -serial file:"$OUT/stderr.txt" \
	"${DEV[@]}"
QRC=$?
kill "$QMP" 2>/dev/null; wait "$QMP" 2>/dev/null
set -e
sed -i 's/\r$//' "$OUT"/*.txt "$OUT/console.log" 2>/dev/null || true
cat "$OUT/stdout.txt"
[ "$QRC" = 124 ] && { echo "vm: timeout after ${TIMEOUT}s (see $OUT/console.log)" >&2; exit 124; }
RC=$(grep -a -o 'PTHOOK_VM_EXIT=[0-9]*' "$OUT/console.log" | tail -1 | cut -d= -f2)
[ -n "$RC" ] || { echo "vm: the guest never reported (see $OUT/console.log)" >&2; exit 125; }
exit "$RC"
