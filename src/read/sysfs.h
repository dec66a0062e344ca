/* Reading the host: <sysfs>/bus/pci/devices into an inventory. */
#ifndef PTHOOK_SYSFS_H
#define PTHOOK_SYSFS_H

#include "inventory.h"

enum {
	SCAN_NAMES = 1,		/* pci.ids names (loads the ids file) */
	SCAN_SERIAL = 2,	/* PCIe Device Serial Numbers (reads config space) */
	SCAN_USB = 4,		/* ctx_scan*: the USB devices too, when a VM has usb rules */
	SCAN_REVISION = 8,	/* revision ids (one more file per function) */
	SCAN_WORDS = SCAN_NAMES | SCAN_SERIAL,	/* what a refusal names devices by */
};

/* The sysfs root: --sysfs, else $PTHOOK_SYSFS, else /sys. */
const char *sysfs_root(const char *opt);
/* The /proc root: opt, else $PTHOOK_PROC, else /proc (tests run on fake
 * trees). */
const char *proc_root(const char *opt);
/* The /dev root: $PTHOOK_DEV, else /dev. */
const char *dev_root(void);
/* libvirt's hooks directory: $PTHOOK_HOOKS_DIR, else /etc/libvirt/hooks. */
const char *hooks_root(void);

struct vm_conf;

/* What a command decides about.  With a focus only the functions a
 * decision can involve are read in full: those a rule of vm may select
 * (match_ids), those at addrs, and every member of their IOMMU groups.
 * The rest keep address, vendor and device (d->partial): on a host
 * with thousands of SR-IOV functions that is most of the work saved. */
struct scan_focus {
	const struct vm_conf *vm;
	const struct pci_addr *addrs;
	size_t naddrs;
};

/* Read in full the functions at addrs the focused scan left partial
 * (a plan selected them), with what a focus reads with them: their
 * IOMMU group mates, a PF's VFs, names and serials as flags say.  0, or
 * -1 with error_set(). */
int inv_complete(const char *sysfs, unsigned flags, const struct pci_addr *addrs, size_t n,
    struct inventory *inv);
/* pci.ids names and/or serials (SCAN_*) of the functions read in full
 * that lack them.  -1 with error_set() when libpci fails. */
int inv_lookup(const char *sysfs, unsigned flags, struct inventory *inv);

/* Reads everything when focus is NULL.  Returns 0, or -1 with
 * error_set() naming the path and the fix. */
int inv_scan(const char *sysfs, unsigned flags, const struct scan_focus *focus,
    struct inventory *inv);

#endif
