/* pthook list: the USB devices, after the PCI groups.  Each with the VM
 * whose usb = rule owns it, the running VM it is attached to (libvirt's
 * status files) and whether pthook watch attached it (that VM's
 * record).  A host without USB shows none. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "list_usb.h"
#include "usbplan.h"
#include "usbscan.h"
#include "util.h"

/* The running VM d is attached to, NULL: none; *watch whether pthook
 * watch put it there. */
static const char *
attached_to(const struct holders *h, const struct usb_dev *d, bool *watch)
{
	size_t i, j;

	*watch = false;
	for (i = 0; i < h->nusb; i++) {
		if (!usb_hostdev_is(&h->usb[i].h, d))
			continue;
		for (j = 0; j < h->nrecs; j++)
			if (strcmp(h->recs[j].vm, h->usb[i].vm) == 0)
				*watch = strlist_has(&h->recs[j].usb, d->port);
		return h->usb[i].vm;
	}
	return NULL;
}

static void
json_usb(const struct usb_dev *d, const char *owner, const char *at, bool watch, bool first)
{
	printf("%s\n   {\"port\": \"%s\", \"vendor\": \"%04x\", \"product\": \"%04x\", \"name\": ",
	    first ? "" : ",", d->port, d->vendor, d->product);
	json_str(stdout, d->name ? d->name : d->dbname);
	json_field(stdout, "serial", d->serial);
	json_field(stdout, "vm", owner);
	json_field(stdout, "attached", at);
	printf(", \"watch\": %s}", watch ? "true" : "false");
}

static void
text_usb(const struct usb_dev *d, const char *owner, const char *at, bool watch, bool first)
{
	const char *name = d->name ? d->name : d->dbname;

	if (first)
		printf("\nUSB\n");
	printf("  %-10s %04x:%04x  %-16s %s", d->port, d->vendor, d->product,
	    owner ? owner : "-", name ? name : "");
	if (d->serial)
		printf("  [serial %s]", d->serial);
	if (at)
		printf("  [attached to %s%s]", at, watch ? " by pthook watch" : "");
	putchar('\n');
}

void
list_usb(const struct opts *o, const struct ctx *c, const struct holders *h)
{
	struct usb_inventory inv = { 0 };
	const struct vm_conf *owner;
	const char *at;
	bool watch, first = true;
	size_t i;

	if (usb_scan(c->sysfs, &inv) < 0)
		msg("warning: %s; USB devices not shown", error_get());
	if (o->json)
		printf(", \"usb\": [");
	for (i = 0; i < inv.n; i++) {
		owner = usb_owner(&c->cfg, &inv.v[i], NULL);
		at = attached_to(h, &inv.v[i], &watch);
		if (!vm_wanted(owner ? owner->name : NULL, o->args, o->nargs) &&
		    !vm_wanted(at, o->args, o->nargs))
			continue;
		if (o->json)
			json_usb(&inv.v[i], owner ? owner->name : NULL, at, watch, first);
		else
			text_usb(&inv.v[i], owner ? owner->name : NULL, at, watch, first);
		first = false;
	}
	if (o->json)
		printf("]");
	usb_inv_free(&inv);
}
