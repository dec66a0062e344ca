/* A device's reset method (sysfs reset_method, kernel 5.15 and later):
 * a rule's reset= holds for the VM's lifetime and release restores the
 * one the kernel had. */
#ifndef PTHOOK_RESET_H
#define PTHOOK_RESET_H

#include "inventory.h"
#include "plan.h"

/* The methods the kernel uses for the device, comma-separated
 * ("flr,bus"): 0 and *out, or -1 with error_set() (no reset_method: an
 * older kernel, or a device without any reset). */
int reset_get(const char *sysfs, const struct pci_addr *a, char **out);
/* Set them (comma-separated, as reset_get gives them).  -1 with
 * error_set() naming what the kernel offers when it refuses. */
int reset_set(const char *sysfs, const struct pci_addr *a, const char *methods);

/* Warnings for check: each device of p with a known reset problem
 * (resetdb.h), whether the vendor_reset module is loaded, and what the
 * kernel offers for it. */
void reset_advice(const char *sysfs, struct plan *p);

#endif
