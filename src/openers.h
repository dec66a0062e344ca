/* Who holds a device open, before anything takes it from its driver
 * (issue #16): an unbind waits for the driver's last reference, so a
 * display server or a CUDA job holding a GPU hangs the start, and a
 * process with an NVMe's block device open loses it.  Found through
 * the nodes the device's drivers made (each directory below the
 * function in sysfs with a DEVNAME in its uevent: DEV/dri/card0,
 * DEV/fb0, DEV/nvme0n1) and, for the nvidia driver, its /dev/nvidia*
 * nodes, against every process's open files in PROC.
 * For a display controller also the boot framebuffer (PROC/iomem:
 * BOOTFB, efifb, vesafb, simpledrm inside one of its BARs) and fbcon
 * bound to a framebuffer of it (sysfs graphics/fbN, vtconsole). */
#ifndef PTHOOK_OPENERS_H
#define PTHOOK_OPENERS_H

#include "inventory.h"
#include "util.h"

/* One line per holder of d, "ADDR is held by COMM (pid N) via PATH;
 * ..." (or by the boot framebuffer, by fbcon), added to out.  Unreadable processes are skipped: this
 * only adds refusals.  Returns how many it added. */
size_t openers_of(const char *sysfs, const char *proc, const char *dev,
    const struct device *d, struct strlist *out);

#endif
