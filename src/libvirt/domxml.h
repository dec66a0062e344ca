/* Domain XML: read the PCI and USB hostdevs, rewrite the PCI ones to a
 * plan's target set, add USB ones, leave everything else as it was
 * (SPEC §4, rewriting rules). */
#ifndef PTHOOK_DOMXML_H
#define PTHOOK_DOMXML_H

#include <stddef.h>

#include "inputplan.h"
#include "plan.h"
#include "usbplan.h"

#define DOMXML_MAX (16u << 20)

struct domxml {
	void *doc;		/* xmlDocPtr; kept opaque for the core */
	void *root;		/* its <domain> (inside <domstatus> for a status file) */
	char *name;
	struct hostdev *hostdevs;
	void **nodes;		/* the element of each */
	size_t n, cap;
	struct pci_addr *uses;	/* PCI functions taken otherwise: a hostdev
				 * network's VF, an NVMe disk (read_use) */
	size_t nuses, usecap;
	struct usb_hostdev *usb;	/* <hostdev type='usb'> */
	size_t nusb, usbcap;
	struct evdev_elem {		/* <input type='evdev'> with a source */
		char *dev;
		void *node;
	} *evdev;
	size_t nevdev, evdevcap;
};

/* Returns 0, or -1 with error_set() saying what is wrong and where. */
int domxml_parse(const char *buf, size_t len, struct domxml *d);
/* The document as text: no XML declaration, UTF-8. */
char *domxml_serialize(const struct domxml *d);
/* Make the PCI hostdev set exactly p->assign: keep the ones in it as
 * they are, drop the others, append the missing ones. */
void domxml_rewrite(struct domxml *d, const struct plan *p);
/* Append a USB hostdev for each device of up (the others stay). */
void domxml_add_usb(struct domxml *d, const struct usb_plan *up);
/* The evdev inputs of ip: rewritten sources in place, new elements
 * after the last <input>. */
void domxml_input(struct domxml *d, const struct input_plan *ip);
/* One device as text, for virDomainAttachDevice (PCI: managed). */
char *domxml_usb_hostdev(const struct usb_add *a);
char *domxml_pci_hostdev(const struct pci_addr *a);
char *domxml_evdev_input(const struct input_pick *pick);
void domxml_free(struct domxml *d);

#endif
