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
/* Give back: clear driver_override, leave target, let the kernel probe
 * again, and check that orig (NULL: none) took the device. */
int rebind_back(const char *sysfs, const struct pci_addr *a, const char *orig);

#endif
