/* Reading the host: <sysfs>/bus/pci/devices into an inventory. */
#ifndef PTHOOK_SYSFS_H
#define PTHOOK_SYSFS_H

#include "inventory.h"

enum {
	SCAN_NAMES = 1,		/* pci.ids names (loads the ids file) */
	SCAN_SERIAL = 2,	/* PCIe Device Serial Numbers (reads config space) */
};

/* The sysfs root: --sysfs, else $PTHOOK_SYSFS, else /sys. */
const char *sysfs_root(const char *opt);

/* Returns 0, or -1 with error_set() naming the path and the fix. */
int inv_scan(const char *sysfs, unsigned flags, struct inventory *inv);

#endif
