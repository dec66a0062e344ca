/* Detaching a device to the vfio driver and giving it back, by the
 * config's `detach = auto | libvirt | sysfs` (SPEC §5.2 step 4). */
#ifndef PTHOOK_DETACH_H
#define PTHOOK_DETACH_H

#include "config.h"
#include "pciaddr.h"

/* 0, or -1 with error_set().  In auto mode a libvirt failure or timeout
 * falls back to sysfs; the fallback is logged. */
int detach_device(const struct config *cfg, const char *sysfs, const struct pci_addr *a);
/* Back to orig (NULL: leave it unbound), driver_override cleared. */
int reattach_device(const struct config *cfg, const char *sysfs, const struct pci_addr *a,
    const char *orig);

#endif
