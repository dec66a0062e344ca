/* The host's PCI functions as pthook sees them.  This header is pure
 * data; sysfs.c fills it from a (real or fake) sysfs tree. */
#ifndef PTHOOK_INVENTORY_H
#define PTHOOK_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "pciaddr.h"

#define GROUP_NONE (-1)

struct device {
	struct pci_addr addr;
	char addr_str[PCI_ADDR_STRLEN];
	unsigned vendor, device;
	unsigned subvendor, subdevice;
	bool has_subsys;
	unsigned class;		/* 24 bits: class, subclass, prog-if */
	int revision;		/* -1 when unknown */
	char *driver;		/* NULL: unbound */
	char *orig_driver;	/* driver before pthook moved it, from state */
	int group;		/* GROUP_NONE: no IOMMU group */
	char *slot;		/* physical slot name, or NULL */
	char *name;		/* pci.ids "Vendor Device", or NULL */
	char *serial;		/* PCIe DSN as lspci prints it, or NULL */
	bool bridge;
	bool partial;		/* only addr, vendor, device read (sysfs.h) */
	bool uevent;		/* vendor, device, class and subsystem came
				 * from the kernel's uevent (sysfs.h) */
	/* SR-IOV: a PF has totalvfs > 0 and numvfs VFs now (0 to
	 * totalvfs); a VF knows its PF (physfn) and which of the PF's
	 * virtfnN it is (-1 while the PF was not read). */
	int totalvfs, numvfs;
	bool is_vf;
	struct pci_addr pf;
	int vf_index;
};

struct inventory {
	struct device *devs;
	size_t n, cap;
};

void inv_free(struct inventory *inv);
void inv_sort(struct inventory *inv);
/* Binary search; the inventory must be sorted. */
const struct device *inv_find(const struct inventory *inv, const struct pci_addr *a);

/* VF n of pf, or NULL when the inventory has none such. */
const struct device *inv_vf(const struct inventory *inv, const struct device *pf, long n);
/* The next VF of pf after prev (NULL: the first), in address order. */
const struct device *inv_next_vf(const struct inventory *inv, const struct device *pf,
    const struct device *prev);

/* PCI-to-PCI bridges are never assigned and never block a group. */
bool dev_is_bridge(const struct device *d);
/* Drivers under which a group member does not make the group unviable. */
bool driver_is_viable(const char *driver, const char *vfio_driver);
/* The driver that identifies the device: the one it had before pthook
 * moved it to vfio-pci, else the current one. */
const char *dev_identity_driver(const struct device *d);

/* "0000:01:00.0 10de:1b81 NVIDIA Corporation GP104 [...]" (SPEC §4). */
char *dev_describe(const struct device *d);

#endif
