#!/bin/bash
# Build the test VM image from Debian packages: the stock kernel (apt-get
# download, cached) and a busybox initramfs with the modules the tier
# needs.  Output in build/vm/: vmlinuz, base.cpio.gz.  Idempotent.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=$ROOT/build/vm
mkdir -p "$W/debs"
for t in qemu-system-x86_64 busybox cpio depmod modprobe dpkg-deb; do
	command -v $t >/dev/null || { echo "vm: missing $t: make deps" >&2; exit 1; }
done
KPKG=${KPKG:-$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')}
[ -n "$KPKG" ] || { echo "vm: cannot resolve the kernel package (apt-get update)" >&2; exit 1; }
KVER=${KPKG#linux-image-}
K=$W/kernel-$KVER
if [ ! -f "$K/boot/vmlinuz-$KVER" ]; then
	(cd "$W/debs" && { ls "${KPKG}"_*.deb >/dev/null 2>&1 || apt-get download "$KPKG" >/dev/null; })
	rm -rf "$K"; mkdir -p "$K"
	dpkg-deb -x "$W/debs/${KPKG}"_*.deb "$K"
	depmod -b "$K" "$KVER"
fi
cp "$K/boot/vmlinuz-$KVER" "$W/vmlinuz"
# Debian's udev, unpacked (not installed here: its daemon would handle
# this machine's events): the guest's scenario of the boot-time claim
# runs it on the host's libraries
if [ ! -x "$W/udev/bin/udevadm" ]; then
	(cd "$W/debs" && { ls udev_*.deb >/dev/null 2>&1 || apt-get download udev >/dev/null; })
	rm -rf "$W/udev"; dpkg-deb -x "$W/debs"/udev_*.deb "$W/udev"
fi
[ "$W/base.cpio.gz" -nt "$ROOT/tests/vm/init.sh" ] && [ "$W/base.cpio.gz" -nt "$0" ] &&
	[ -f "$W/base.$KVER" ] && exit 0

S=$W/initramfs
rm -rf "$S"; mkdir -p "$S"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,lib/modules/$KVER}
cp /bin/busybox "$S/bin/busybox"
ln -s busybox "$S/bin/sh"
cp "$ROOT/tests/vm/init.sh" "$S/init"; chmod 755 "$S/init"
MODS="vfio vfio_iommu_type1 vfio_pci irqbypass e1000e virtio_net virtio_pci virtio_rng
 9p 9pnet_virtio overlay pci_stub tun bridge xhci_pci nvme bochs evdev uinput"
for m in $MODS; do
	modprobe -d "$K" -S "$KVER" --show-depends "$m" 2>/dev/null | awk '$1=="insmod"{print $2}'
done | sort -u | while read -r f; do
	rel=${f#"$K"/}; mkdir -p "$S/$(dirname "$rel")"; cp "$f" "$S/$rel"
done
cp "$K/lib/modules/$KVER"/modules.{order,builtin,builtin.modinfo} "$S/lib/modules/$KVER/"
depmod -b "$S" "$KVER"
(cd "$S" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$W/base.cpio.gz"
rm -f "$W"/base.*[0-9]; touch "$W/base.$KVER"
echo "vm: image for $KVER in $W"
