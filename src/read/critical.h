/* Host-critical devices (SPEC §7): the PCI functions behind a mounted
 * filesystem or active swap, the boot VGA device while the host drives
 * it, the NIC carrying the default route, and the PF of any VF among
 * those (its driver going away destroys the VF).  Read from /proc and sysfs;
 * the plan refuses them unless the rule says `force`. */
#ifndef PTHOOK_CRITICAL_H
#define PTHOOK_CRITICAL_H

#include "inventory.h"
#include "plan.h"

struct criticals {
	struct critical *v;
	size_t n, cap;
};

/* Never fails: what cannot be read adds nothing (and the plan still
 * refuses by protect rules). */
void criticals_load(const char *sysfs, const struct inventory *inv, struct criticals *c);
/* What depends on a device's driver (the boot VGA's), again after
 * inv_complete() read more devices in full; the rest stands. */
void criticals_complete(const char *sysfs, const struct inventory *inv, struct criticals *c);
void criticals_free(struct criticals *c);

#endif
