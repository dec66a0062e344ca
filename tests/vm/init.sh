#!/bin/sh
# /init of the test VM (busybox).  Loads drivers the way udev would, puts
# the host's /usr and /etc (9p, read-only, tmpfs overlay) under a new
# root with the repository at /repo, and runs the payload named on the
# kernel command line (pthook.run=PATH, relative to /repo) there.
# ttyS0: kernel and harness log; ttyS1: payload stdout; ttyS2: stderr.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run /sbin
/bin/busybox --install -s /bin 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
ln -sf /bin/busybox /sbin/modprobe
echo /sbin/modprobe > /proc/sys/kernel/modprobe
log() { echo "[vm] $* (uptime $(cut -d' ' -f1 /proc/uptime)s)" > /dev/ttyS0; }
stty -F /dev/ttyS1 -opost 2>/dev/null; stty -F /dev/ttyS2 -opost 2>/dev/null

RUN=
for a in $(cat /proc/cmdline); do
	case "$a" in pthook.run=*) RUN=${a#*=} ;; esac
done
for pass in 1 2; do
	for f in /sys/bus/pci/devices/*/modalias; do modprobe -q "$(cat "$f")" 2>/dev/null; done
	modprobe -q vfio_iommu_type1; modprobe -q vfio_pci
done
modprobe -q 9pnet_virtio; modprobe -q 9p; modprobe -q overlay
log "drivers loaded"

R=/newroot
O9="trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose"
mkdir -p /mnt/rw $R
mount -t tmpfs -o mode=755 tmpfs /mnt/rw
mount -t tmpfs -o mode=755 tmpfs $R
ovl() {	# 9p TAG read-only under a tmpfs upper layer at TARGET
	mkdir -p /mnt/9p-$1 /mnt/rw/$1/u /mnt/rw/$1/w "$2"
	mount -t 9p -o $O9 $1 /mnt/9p-$1 &&
	mount -t overlay overlay -o lowerdir=/mnt/9p-$1,upperdir=/mnt/rw/$1/u,workdir=/mnt/rw/$1/w "$2"
}
ovl hostusr $R/usr && ovl hostetc $R/etc && ovl repo $R/repo || { log "9p failed"; poweroff -f; }
for l in bin sbin lib lib64; do ln -s usr/$l $R/$l; done
mkdir -p $R/var/lib $R/var/log $R/var/cache $R/var/tmp $R/root $R/mnt
ln -s /run $R/var/run
for m in proc sys dev dev/pts run tmp; do mkdir -p $R/$m; mount --bind /$m $R/$m; done
mkdir -p /run/lock $R/usr/lib/modules/$(uname -r)
mount --bind /lib/modules/$(uname -r) $R/usr/lib/modules/$(uname -r)
mount -t tmpfs tmpfs $R/dev/shm
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null
log "root ready, running $RUN"
chroot $R /bin/sh -c "cd /repo && exec ./$RUN" > /dev/ttyS1 2> /dev/ttyS2
RC=$?
log "payload done"
echo "PTHOOK_VM_EXIT=$RC" > /dev/ttyS0
sync
poweroff -f
