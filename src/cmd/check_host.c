/* pthook check --host: can this host pass devices through at all?
 * libvirt's virt-host-validate qemu says whether the IOMMU is on; this
 * goes on from there, one line a finding, each with its fix: the IOMMU
 * in the firmware and the kernel, interrupt remapping, the ACS
 * override, vfio-pci, and whether each device the config names can be
 * reset. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_install.h"
#include "readiness.h"
#include "sysfs.h"
#include "util.h"

#define GRUB "to GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot"

static void
iommu(struct findings *f, const struct readiness *r)
{
	if (r->groups)
		return;
	if (r->dmar && readiness_arg(r, "intel_iommu=off"))
		finding(f, true, "intel_iommu=off is on the kernel command line: take it out of "
		    "GRUB_CMDLINE_LINUX in /etc/default/grub, run update-grub and reboot");
	else if (r->dmar && !readiness_arg(r, "intel_iommu=on"))
		finding(f, true, "the firmware has VT-d on (ACPI DMAR table) but the kernel did "
		    "not turn the IOMMU on (no IOMMU groups): add intel_iommu=on " GRUB);
	else if (r->ivrs && (readiness_arg(r, "amd_iommu=off") || readiness_arg(r, "iommu=off")))
		finding(f, true, "the IOMMU is turned off on the kernel command line (amd_iommu=off "
		    "or iommu=off): take it out of GRUB_CMDLINE_LINUX in /etc/default/grub, run "
		    "update-grub and reboot");
	else if (r->dmar || r->ivrs)
		finding(f, true, "the firmware has the IOMMU (ACPI %s table) and the command line "
		    "asks for it, but the kernel made no IOMMU groups: see dmesg | grep -i -e DMAR "
		    "-e AMD-Vi -e IOMMU", r->dmar ? "DMAR" : "IVRS");
	else
		finding(f, true, "no IOMMU: the firmware has no DMAR (Intel VT-d) or IVRS (AMD-Vi) "
		    "ACPI table; turn VT-d or AMD-Vi (\"IOMMU\") on in the firmware setup");
}

static void
interrupts(struct findings *f, const struct readiness *r)
{
	if (r->remapping && r->unsafe)
		finding(f, false, "vfio_iommu_type1 allow_unsafe_interrupts is set, and not "
		    "needed: this host has interrupt remapping; drop the option (modprobe.d)");
	else if (r->unsafe)
		finding(f, false, "no interrupt remapping (no IR- interrupt chips in "
		    "/proc/interrupts), and allow_unsafe_interrupts lets devices through anyway: "
		    "a guest can forge interrupts to the host (MSI attacks); turn interrupt "
		    "remapping (x2APIC) on in the firmware and drop the option");
	else if (!r->remapping)
		finding(f, true, "no interrupt remapping (no IR- interrupt chips in "
		    "/proc/interrupts): vfio_iommu_type1 refuses to assign devices; turn interrupt "
		    "remapping (x2APIC) on in the firmware, or, accepting that a guest can then "
		    "forge interrupts, set 'options vfio_iommu_type1 allow_unsafe_interrupts=1' "
		    "in /etc/modprobe.d");
}

/* A device without a reset method reaches the next guest (or the host)
 * in whatever state the last one left it. */
static void
resets(struct findings *f, const char *sysfs, const struct planned_list *l)
{
	char path[PATH_MAX], m[256], *d;
	size_t i;

	for (i = 0; i < l->n; i++) {
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/reset_method", sysfs,
		    l->v[i].dev->addr_str);
		if (read_small(AT_FDCWD, path, m, sizeof(m)) > 0)
			continue;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/reset", sysfs,
		    l->v[i].dev->addr_str);
		if (access(path, F_OK) == 0)
			continue;
		d = dev_describe(l->v[i].dev);
		finding(f, false, "%s offers no reset (no reset_method or reset in sysfs): each "
		    "guest gets it as the last one left it, and a second start may find it hung; "
		    "expect to reboot between runs, or give the guest a device that has FLR", d);
		free(d);
	}
}

int
check_host(const struct opts *o, struct ctx *c)
{
	struct findings f = { "host", 0, 0 };
	struct readiness r;
	struct plan p;
	char *acs;
	size_t i;

	readiness_read(c->sysfs, proc_root(NULL), &r);
	iommu(&f, &r);
	if (r.groups)
		interrupts(&f, &r);
	if ((acs = acs_override(proc_root(NULL))) != NULL)
		finding(&f, false, "pcie_acs_override=%s is on the kernel command line: the IOMMU "
		    "groups are what the override made, not isolation the hardware gives (a "
		    "device can still reach its group mates by peer-to-peer DMA); list and check "
		    "say so on every group", acs);
	free(acs);
	if (r.vfio == VFIO_NONE)
		finding(&f, true, "vfio-pci is not loaded, not built in, and not among the "
		    "kernel's modules (modules.dep): install the modules of the running kernel "
		    "(its linux-image package)");
	for (i = 0; i < c->cfg.nvms; i++) {
		if (!vm_wanted(c->cfg.vms[i].name, o->args, o->nargs))
			continue;
		ctx_plan(c, c->cfg.vms[i].name, NULL, NULL, &p);
		resets(&f, c->sysfs, &p.assign);
		plan_free(&p);
	}
	printf("host: IOMMU %s, %d group%s, interrupt remapping %s, vfio-pci %s; %d problem%s, "
	    "%d warning%s\n", r.groups ? "on" : "off", r.groups, r.groups == 1 ? "" : "s",
	    r.remapping ? "on" : "off", r.vfio == VFIO_LOADED ? "loaded" :
	    r.vfio == VFIO_MODULE ? "a module" : "missing", f.errors, f.errors == 1 ? "" : "s",
	    f.warnings, f.warnings == 1 ? "" : "s");
	return f.errors;
}
