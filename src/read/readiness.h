/* Whether this host can pass devices through at all (issue #29): what
 * the firmware, the kernel command line and the kernel show of the
 * IOMMU, interrupt remapping, the ACS override and vfio-pci.  Read
 * from SYSFS, PROC and the kernel's module directory ($PTHOOK_MODULES
 * stands for /lib/modules/RELEASE in tests). */
#ifndef PTHOOK_READINESS_H
#define PTHOOK_READINESS_H

#include <stdbool.h>

struct readiness {
	int groups;		/* entries in kernel/iommu_groups */
	bool dmar, ivrs;	/* the firmware's ACPI tables for VT-d, AMD-Vi */
	char cmdline[4096];	/* PROC/cmdline */
	bool remapping;		/* IR- interrupt chips in PROC/interrupts */
	bool unsafe;		/* vfio_iommu_type1 allow_unsafe_interrupts=Y */
	enum { VFIO_NONE, VFIO_MODULE, VFIO_LOADED } vfio;
};

void readiness_read(const char *sysfs, const char *proc, struct readiness *r);
/* The word of the kernel command line that starts with key ("intel_iommu=on"),
 * or NULL. */
const char *readiness_arg(const struct readiness *r, const char *key);
/* The value of key ("fbcon=map:") on PROC's kernel command line,
 * malloc'd, or NULL. */
char *cmdline_value(const char *proc, const char *key);
/* pcie_acs_override=... on PROC's kernel command line: the IOMMU
 * groups are then what the override made, not isolation the hardware
 * gives; its value ("downstream,multifunction"), malloc'd, or NULL. */
char *acs_override(const char *proc);

#endif
