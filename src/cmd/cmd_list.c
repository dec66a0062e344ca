/* pthook list [VM...]: the host's PCI functions by IOMMU group, then
 * its USB devices (list_usb.c). */
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "json.h"
#include "readiness.h"
#include "list_input.h"
#include "list_usb.h"
#include "state.h"
#include "sysfs.h"
#include "util.h"

/* The VMs whose release kept a device back (state.h: kept), indexed
 * like the inventory: what the health check found dead is shown, not
 * only logged.  h: every record, and what running domains hold (an
 * unreadable state dir: nothing). */
static const char **
kept_by(const struct opts *o, const struct inventory *inv, struct holders *h)
{
	const char **kept = xcalloc(inv->n, sizeof(*kept));
	const struct device *d;
	size_t i, j;

	if (holders_load(state_dir(o->state_dir), "", h) < 0)
		return kept;
	for (i = 0; i < h->nrecs; i++)
		for (j = 0; j < h->recs[i].n; j++)
			if (h->recs[i].v[j].kept && (d = inv_find(inv, &h->recs[i].v[j].addr)))
				kept[d - inv->devs] = h->recs[i].vm;
	return kept;
}

static int
cmp_group(const void *a, const void *b)
{
	const struct device *x = *(const struct device *const *)a;
	const struct device *y = *(const struct device *const *)b;

	/* ungrouped (-1) last; within a group, address order */
	if (x->group != y->group) {
		if (x->group == GROUP_NONE || y->group == GROUP_NONE)
			return x->group == GROUP_NONE ? 1 : -1;
		return x->group < y->group ? -1 : 1;
	}
	return pci_addr_cmp(&x->addr, &y->addr);
}

static bool
vm_selected(const struct claim *k, char **vms, int n)
{
	int i;

	if (n == 0)
		return true;
	if (k->vms == NULL)
		return false;
	for (i = 0; i < n; i++) {
		const char *p = strstr(k->vms, vms[i]);
		size_t l = strlen(vms[i]);

		/* k->vms is a comma list: match whole names only */
		while (p) {
			if ((p == k->vms || p[-1] == ',') && (p[l] == '\0' || p[l] == ','))
				return true;
			p = strstr(p + 1, vms[i]);
		}
	}
	return false;
}

static void
json_device(const struct device *d, const struct claim *k, const char *kept, bool first)
{
	char sub[PCI_ADDR_STRLEN];

	printf("%s\n   {\"address\": \"%s\", \"class\": \"%06x\", \"vendor\": \"%04x\", "
	    "\"device\": \"%04x\", \"subsystem\": ", first ? "" : ",", d->addr_str,
	    d->class, d->vendor, d->device);
	snprintf(sub, sizeof(sub), "%04x:%04x", d->subvendor, d->subdevice);
	json_str(stdout, d->has_subsys ? sub : NULL);
	printf(", \"revision\": ");
	if (d->revision < 0)
		printf("null");
	else
		printf("\"%02x\"", d->revision);
	json_field(stdout, "driver", d->driver);
	printf(", \"bridge\": %s, \"group\": ", d->bridge ? "true" : "false");
	if (d->group == GROUP_NONE)
		printf("null");
	else
		printf("%d", d->group);
	json_field(stdout, "slot", d->slot);
	json_field(stdout, "serial", d->serial);
	json_field(stdout, "name", d->name);
	json_field(stdout, "pf", d->is_vf ? pci_addr_fmt(&d->pf, sub) : NULL);
	if (d->is_vf && d->vf_index >= 0)
		printf(", \"vf\": %d", d->vf_index);
	else
		printf(", \"vf\": null");
	if (d->totalvfs)
		printf(", \"sriov\": {\"totalvfs\": %d, \"numvfs\": %d}", d->totalvfs,
		    d->numvfs);
	else
		printf(", \"sriov\": null");
	json_field(stdout, "vm", k->vms);
	json_field(stdout, "role", k->vms ? (k->detach ? "detach" : "assign") : NULL);
	json_field(stdout, "kept", kept);
	printf("}");
}

/* A VF under its PF is indented, and its line says which VF it is and
 * its group (it is not listed under its group). */
static void
text_device(const struct device *d, const struct claim *k, const char *kept, bool under_pf)
{
	char sub[16] = "-", vm[64];

	if (d->has_subsys)
		snprintf(sub, sizeof(sub), "%04x:%04x", d->subvendor, d->subdevice);
	snprintf(vm, sizeof(vm), "%s%s", k->vms ? k->vms : "-",
	    k->vms && k->detach ? " (detach)" : "");
	printf("  %s%s  %06x  %04x:%04x  %-9s  %-14s %-16s %s%s", under_pf ? "  " : "",
	    d->addr_str, d->class, d->vendor, d->device, sub, d->driver ? d->driver : "-",
	    vm, d->bridge ? "[bridge] " : "", d->name ? d->name : "");
	if (d->slot)
		printf("  [slot %s]", d->slot);
	if (d->serial)
		printf("  [serial %s]", d->serial);
	if (d->totalvfs)
		printf("  [SR-IOV PF: %d of %d VFs]", d->numvfs, d->totalvfs);
	if (under_pf && d->group == GROUP_NONE)
		printf("  [VF %d, no IOMMU group]", d->vf_index);
	else if (under_pf)
		printf("  [VF %d, IOMMU group %d]", d->vf_index, d->group);
	if (kept)
		printf("  [did not survive %s: kept on %s; remove and rescan, or reboot]", kept,
		    d->driver ? d->driver : "no driver");
	putchar('\n');
}

/* A VF shown under its PF in the text listing. */
static bool
under_shown_pf(const struct inventory *inv, const bool *shown, const struct device *d)
{
	const struct device *pf = d->is_vf ? inv_find(inv, &d->pf) : NULL;

	return pf && shown[pf - inv->devs];
}

int
cmd_list(struct opts *o)
{
	const struct device **order;
	struct claims cl = { 0 };
	struct holders h = { 0 };
	const char **kept;
	char *acs;
	struct ctx c;
	bool *shown, *group_on, first_group = true, first_dev = true, in_ungrouped = false;
	int rc, cur = -2, maxgroup = -1;
	size_t i;

	if ((rc = ctx_open(&c, o, false, SCAN_NAMES | SCAN_REVISION | (o->verbose ? SCAN_SERIAL : 0))))
		return rc;
	if ((rc = ctx_check_vms(&c, o->args, o->nargs))) {
		ctx_close(&c);
		return rc;
	}
	claims_build(&c, NULL, &cl, false);
	kept = kept_by(o, &c.inv, &h);
	acs = acs_override(proc_root(NULL));
	order = xcalloc(c.inv.n, sizeof(*order));
	for (i = 0; i < c.inv.n; i++)
		order[i] = &c.inv.devs[i];
	qsort(order, c.inv.n, sizeof(*order), cmp_group);

	/* With VM names, show the groups (and ungrouped devices) they
	 * touch.  shown[] is by inventory index. */
	shown = xcalloc(c.inv.n, sizeof(*shown));
	for (i = 0; i < c.inv.n; i++)
		if (c.inv.devs[i].group > maxgroup)
			maxgroup = c.inv.devs[i].group;
	group_on = xcalloc((size_t)maxgroup + 2, sizeof(*group_on));
	for (i = 0; i < c.inv.n; i++) {
		const struct device *d = &c.inv.devs[i];

		if (!vm_selected(&cl.v[i], o->args, o->nargs))
			continue;
		shown[i] = true;
		if (d->group != GROUP_NONE)
			group_on[d->group] = true;
	}
	for (i = 0; i < c.inv.n; i++)
		shown[i] |= c.inv.devs[i].group != GROUP_NONE && group_on[c.inv.devs[i].group];

	if (o->json)
		printf("{\"groups\": [");
	for (i = 0; i < c.inv.n; i++) {
		const struct device *d = order[i], *v = NULL;
		const struct claim *k = &cl.v[d - c.inv.devs];

		if (!shown[d - c.inv.devs] ||
		    (!o->json && under_shown_pf(&c.inv, shown, d)))
			continue;
		if (d->group != cur) {
			cur = d->group;
			if (o->json) {
				if (d->group == GROUP_NONE) {
					printf("%s], \"ungrouped\": [", first_group ? "" : "]}");
					in_ungrouped = true;
				} else {
					printf("%s{\"group\": %d, \"devices\": [",
					    first_group ? "" : "]}, ", d->group);
				}
				first_dev = true;
			} else if (d->group == GROUP_NONE) {
				printf("%sno IOMMU group\n", first_group ? "" : "\n");
			} else {
				printf("%sIOMMU group %d%s%s%s\n", first_group ? "" : "\n", d->group,
				    acs ? " (pcie_acs_override=" : "", acs ? acs : "",
				    acs ? ": the override's group, not isolation)" : "");
			}
			first_group = false;
		}
		if (o->json)
			json_device(d, k, kept[d - c.inv.devs], first_dev);
		else
			text_device(d, k, kept[d - c.inv.devs], false);
		while (!o->json && (v = inv_next_vf(&c.inv, d, v)) != NULL)
			if (shown[v - c.inv.devs])
				text_device(v, &cl.v[v - c.inv.devs], kept[v - c.inv.devs], true);
		first_dev = false;
	}
	if (o->json) {
		if (in_ungrouped)
			printf("]");
		else
			printf("%s], \"ungrouped\": []", first_group ? "" : "]}");
	}
	if (o->json)
		json_field(stdout, "acs_override", acs);
	list_usb(o, &c, &h);
	list_input(o, &c);
	if (o->json)
		printf("}\n");
	free(acs);
	free(shown);
	free(group_on);
	free(order);
	free(kept);
	holders_free(&h);
	claims_free(&cl, c.inv.n);
	ctx_close(&c);
	return 0;
}
