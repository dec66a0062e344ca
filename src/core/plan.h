/* The pure core: (config, inventory, VM, its hostdevs) -> plan.
 * No sysfs, no libvirt: every decision pthook makes is taken here and
 * unit-tested directly. */
#ifndef PTHOOK_PLAN_H
#define PTHOOK_PLAN_H

#include "config.h"
#include "inventory.h"
#include "util.h"

/* A PCI passthrough element of the domain XML (SPEC §4): a <hostdev
 * mode='subsystem' type='pci'> or an <interface type='hostdev'>. */
struct hostdev {
	struct pci_addr addr;
	bool managed;
	bool iface;		/* <interface type='hostdev'> (an SR-IOV VF with
				 * its MAC and VLAN) */
	bool known;		/* pthook's metadata says which device it was
				 * given for: the ids below */
	unsigned vendor, device, subvendor, subdevice;
	char keeps[160];	/* what it holds besides its source ("MAC
				 * 52:54:00:00:00:20, VLAN 20"): the plan
				 * says what a rewrite in place keeps */
};

/* A device that moved: its element is rewritten in place (only the
 * source address changes), so ROM, boot order, guest address, alias,
 * MAC and VLAN stay. */
struct move {
	struct pci_addr from, to;
};

/* A device that another running VM holds. */
struct held {
	struct pci_addr addr;
	const char *vm;
};

/* A device the host cannot do without, and why ("backs / (mounted
 * filesystem)"). */
struct critical {
	struct pci_addr addr;
	char *why;
	bool console;		/* the host's console is on it: a VM with
				 * console = handoff may take it (handoff.h) */
};

struct plan_input {
	const struct config *cfg;
	const struct inventory *inv;
	const char *vm;
	bool have_xml;		/* hostdevs below come from a domain XML */
	const struct hostdev *hostdevs;
	size_t nhostdevs;
	const struct held *held;
	size_t nheld;
	const struct critical *critical;
	size_t ncritical;
};

struct planned {
	const struct device *dev;
	const struct rule *rule;	/* NULL: pulled in by its IOMMU group */
	const struct device *via;	/* the group mate that pulled it in */
	bool managed;			/* assign: the hostdev's managed= */
	bool iface;			/* assign: as <interface type='hostdev'> */
};

/* numvfs=N on a PF that has no VFs yet: prepare and apply create them
 * and plan again, once the VFs exist. */
struct vf_create {
	const struct device *pf;
	const struct rule *rule;
};

struct planned_list {
	struct planned *v;
	size_t n, cap;
};

struct plan {
	const char *vm;
	bool configured;
	const struct vm_conf *conf;
	struct planned_list assign;	/* target hostdev set, address order */
	struct planned_list detach;	/* what pthook binds to the vfio driver */
	struct planned_list mates;	/* group mates left as they are: already
					 * unbound or on a viable driver */
	struct pci_addr *add, *remove;	/* hostdev changes vs the XML */
	size_t nadd, addcap, nremove, removecap;
	struct move *moves;		/* pairs of remove and add: in place */
	size_t nmoves, movecap;
	struct vf_create *creates;	/* VFs a rule needs that do not exist */
	size_t ncreates, createcap;
	bool pci;			/* the VM's PCI passthrough is pthook's
					 * (it has pci rules; usb alone is not) */
	struct strlist errors;		/* refusals, "pthook: VM: ..." */
	struct strlist stale;		/* the XML differs from the target set */
	struct strlist warnings;	/* for check: legal but fragile */
	struct strlist steps;		/* the plan, one line each */
	const struct device *console;	/* the host's console GPU, handed to
					 * the VM (console = handoff) */
};

void plan_build(const struct plan_input *in, struct plan *p);
/* migrate/restore (SPEC §5.4): libvirt checks the hook's output for ABI
 * stability against the definition it came with (the same hostdevs at
 * the same guest addresses; sources may differ), so only in-place moves
 * are allowed: an addition or a removal is an error naming op (unless
 * p is refused already). */
void plan_keep_abi(struct plan *p, const char *op);
/* What early = yes claims at boot for p (pthook claim): what it assigns
 * and detaches, and, unless group = strict, its mates that have no
 * driver (the start would take them bound); into out (room for every
 * device of the plan), how many. */
size_t plan_early(const struct plan *p, const struct device **out);
/* Room plan_early's out needs. */
size_t plan_size(const struct plan *p);
void plan_free(struct plan *p);
bool plan_has(const struct planned_list *l, const struct device *d);

#endif
