/* pthook list: the input devices (evdev), after USB.  Each with the VM
 * whose input = rule selects it and the stable path libvirt would open.
 * A host without input devices shows none. */
#include <stdlib.h>
#include <string.h>

#include "inputplan.h"
#include "inputscan.h"
#include "json.h"
#include "list_input.h"
#include "sysfs.h"
#include "util.h"

static void
json_input(const struct input_dev *d, const char *owner, bool first)
{
	printf("%s\n   {\"event\": \"%s\", \"vendor\": \"%04x\", \"product\": \"%04x\"",
	    first ? "" : ",", d->event, d->vendor, d->product);
	json_field(stdout, "name", d->name);
	json_field(stdout, "bus", input_bus_name(d->bustype));
	json_field(stdout, "phys", d->phys);
	json_field(stdout, "kind", input_kind_name(d->kinds));
	json_field(stdout, "by_id", d->by_id);
	json_field(stdout, "by_path", d->by_path);
	json_field(stdout, "vm", owner);
	printf("}");
}

static void
text_input(const struct input_dev *d, const char *owner, bool first)
{
	const char *bus = input_bus_name(d->bustype), *stable = input_stable_path(d);

	if (first)
		printf("\nInput\n");
	printf("  %-8s %04x:%04x  %-9s %-14s %-16s %s", d->event, d->vendor, d->product,
	    bus ? bus : "-", input_kind_name(d->kinds), owner ? owner : "-",
	    d->name ? d->name : "");
	if (d->phys)
		printf("  [phys %s]", d->phys);
	printf("  [%s]\n", stable ? stable : "no stable path: only its event node");
}

void
list_input(const struct opts *o, const struct ctx *c)
{
	struct input_inventory inv;
	const struct vm_conf *owner, **owners;
	bool first = true;
	size_t i;

	if (input_scan(c->sysfs, dev_root(), &inv) < 0)
		msg("warning: %s; input devices not shown", error_get());
	owners = xcalloc(inv.n + 1, sizeof(*owners));
	input_owners(&c->cfg, &inv, owners);
	if (o->json)
		printf(", \"input\": [");
	for (i = 0; i < inv.n; i++) {
		owner = owners[i];
		if (!vm_wanted(owner ? owner->name : NULL, o->args, o->nargs))
			continue;
		if (o->json)
			json_input(&inv.v[i], owner ? owner->name : NULL, first);
		else
			text_input(&inv.v[i], owner ? owner->name : NULL, first);
		first = false;
	}
	if (o->json)
		printf("]");
	free(owners);
	input_inv_free(&inv);
}
