/* USB devices for a VM (pure): which rule owns a device, and the
 * <hostdev type='usb'> elements a definition lacks. */
#ifndef PTHOOK_USBPLAN_H
#define PTHOOK_USBPLAN_H

#include "config.h"
#include "usb.h"
#include "util.h"

/* A <hostdev mode='subsystem' type='usb'> of the domain XML. */
struct usb_hostdev {
	bool has_ids, has_addr;
	unsigned vendor, product;
	unsigned bus, devnum;
};

struct usb_add {
	const struct usb_dev *dev;
	const struct usb_rule *rule;
	bool by_address;	/* an identical device is present too */
};

struct usb_plan {
	struct usb_add *v;
	size_t n, cap;
	struct strlist steps;
};

/* The VM a device goes to: rules are tried in file order over all VMs
 * and the first that matches wins, unless that VM's usb_deny matches
 * the device too (deny wins; the next rule is tried).  NULL: none. */
const struct vm_conf *usb_owner(const struct config *cfg, const struct usb_dev *d,
    const struct usb_rule **rule);
/* Does this hostdev already stand for d? */
bool usb_hostdev_is(const struct usb_hostdev *h, const struct usb_dev *d);
/* The devices present that vm owns and its definition (have) lacks.
 * Hostdevs already there stay, whatever they are. */
void usb_plan_build(const struct config *cfg, const char *vm, const struct usb_inventory *inv,
    const struct usb_hostdev *have, size_t nhave, struct usb_plan *p);
void usb_plan_free(struct usb_plan *p);

#endif
