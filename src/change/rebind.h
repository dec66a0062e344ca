/* Moving a device between drivers with the kernel's own mechanism:
 * driver_override, unbind, drivers_probe (what libvirt does underneath). */
#ifndef PTHOOK_REBIND_H
#define PTHOOK_REBIND_H

#include "pciaddr.h"

/* The current driver of a device: 0 and *drv (malloc'd, NULL when
 * unbound), or -1 when the device is gone. */
int rebind_driver(const char *sysfs, const struct pci_addr *a, char **drv);
/* Bind to target (e.g. vfio-pci).  0, or -1 with error_set(). */
int rebind_to(const char *sysfs, const struct pci_addr *a, const char *target);
/* Give back: driver_override as it was before (ov; NULL: cleared),
 * leave target, let the kernel probe again, and check that orig (NULL:
 * none) took the device. */
int rebind_back(const char *sysfs, const struct pci_addr *a, const char *orig,
    const char *ov);
/* Whether the device still answers: its vendor id, read from config
 * space now (sysfs's vendor file is what it was at enumeration), is
 * not ffff.  A device that fell off the bus, or that a reset left
 * dead, reads all ones.  A VF's own vendor id always does (PCIe: VF
 * Vendor ID reads FFFFh), so its PF's is read, as the kernel's
 * pci_device_is_present() does.  1 alive, 0 not, -1 gone or
 * unreadable. */
int rebind_alive(const char *sysfs, const struct pci_addr *a);
/* What brings a device back that did not survive a guest (as, its
 * address), for a line that says so; malloc'd. */
char *revive_hint(const char *as);
/* The device's driver_override: 0 and *ov (malloc'd, NULL when none),
 * or -1 when the device is gone.  Read before pthook sets its own, so
 * that release puts back an administrator's pci-stub. */
int rebind_override(const char *sysfs, const struct pci_addr *a, char **ov);

#endif
