#include "usbplan.h"

#include <stdlib.h>
#include <string.h>

static bool
denied(const struct vm_conf *vm, const struct usb_dev *d)
{
	size_t i;

	for (i = 0; i < vm->ndeny; i++)
		if (usb_match_device(&vm->usb_deny[i].m, d))
			return true;
	return false;
}

const struct vm_conf *
usb_owner(const struct config *cfg, const struct usb_dev *d, const struct usb_rule **rule)
{
	const struct vm_conf *best = NULL;
	const struct usb_rule *br = NULL;
	size_t i, j;

	for (i = 0; i < cfg->nvms; i++) {
		const struct vm_conf *vm = &cfg->vms[i];

		for (j = 0; j < vm->nusb; j++) {
			const struct usb_rule *r = &vm->usb[j];

			if ((br == NULL || r->line < br->line) &&
			    usb_match_device(&r->m, d) && !denied(vm, d)) {
				best = vm;
				br = r;
			}
		}
	}
	if (rule)
		*rule = br;
	return best;
}

bool
usb_hostdev_is(const struct usb_hostdev *h, const struct usb_dev *d)
{
	if (h->has_ids && (h->vendor != d->vendor || h->product != d->product))
		return false;
	if (h->has_addr && (h->bus != d->bus || h->devnum != d->devnum))
		return false;
	return h->has_ids || h->has_addr;
}

static size_t
twins(const struct usb_inventory *inv, const struct usb_dev *d)
{
	size_t i, n = 0;

	for (i = 0; i < inv->n; i++)
		n += inv->v[i].vendor == d->vendor && inv->v[i].product == d->product;
	return n;
}

void
usb_plan_build(const struct config *cfg, const char *vm, const struct usb_inventory *inv,
    const struct usb_hostdev *have, size_t nhave, struct usb_plan *p)
{
	size_t i, j;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < inv->n; i++) {
		const struct usb_dev *d = &inv->v[i];
		const struct usb_rule *r;
		const struct vm_conf *owner = usb_owner(cfg, d, &r);
		struct usb_add *a;
		char *desc;

		if (owner == NULL || strcmp(owner->name, vm) != 0)
			continue;
		for (j = 0; j < nhave && !usb_hostdev_is(&have[j], d); j++)
			;
		desc = usb_describe(d);
		if (j < nhave) {
			strlist_addf(&p->steps, "%s: usb rule '%s' (line %d): %s is in the "
			    "definition", vm, r->m.text, r->line, desc);
		} else {
			a = PUSH(p->v, p->n, p->cap);
			a->dev = d;
			a->rule = r;
			a->by_address = twins(inv, d) > 1;
			strlist_addf(&p->steps, "%s: usb rule '%s' (line %d) selects %s: add "
			    "hostdev%s", vm, r->m.text, r->line, desc,
			    a->by_address ? " with its bus address (an identical device is present)" : "");
		}
		free(desc);
	}
}

void
usb_plan_free(struct usb_plan *p)
{
	free(p->v);
	strlist_free(&p->steps);
	memset(p, 0, sizeof(*p));
}
