/* pthook check [VM...]: lint the config against this host, no changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_install.h"
#include "readiness.h"
#include "claims.h"
#include "heldby.h"
#include "inputplan.h"
#include "inputscan.h"
#include "json.h"
#include "reset.h"
#include "sysfs.h"
#include "util.h"

static const struct device *
any_in_group(const struct plan *p, int group)
{
	size_t i;

	for (i = 0; i < p->assign.n; i++)
		if (p->assign.v[i].dev->group == group)
			return p->assign.v[i].dev;
	for (i = 0; i < p->detach.n; i++)
		if (p->detach.v[i].dev->group == group)
			return p->detach.v[i].dev;
	return NULL;
}

/* Two VMs wanting one device or one IOMMU group can never run at the
 * same time; say so before a start finds out. */
static int
cross_check(const struct claims *cl, char **names, int n)
{
	int problems = 0;
	size_t a, b, i;

	for (a = 0; a < cl->nplans; a++) {
		const struct plan *pa = &cl->plans[a];

		for (b = a + 1; b < cl->nplans; b++) {
			const struct plan *pb = &cl->plans[b];
			const struct planned_list *lists[2] = { &pa->assign, &pa->detach };
			int l;

			if (!vm_wanted(pa->vm, names, n) && !vm_wanted(pb->vm, names, n))
				continue;
			for (l = 0; l < 2; l++)
				for (i = 0; i < lists[l]->n; i++) {
					const struct device *d = lists[l]->v[i].dev, *o;
					char *desc;

					if (d->group == GROUP_NONE ||
					    (o = any_in_group(pb, d->group)) == NULL)
						continue;
					desc = dev_describe(d);
					if (o == d)
						msg("%s is claimed by both %s and %s; the two VMs "
						    "cannot run together, give it to one of them",
						    desc, pa->vm, pb->vm);
					else
						msg("IOMMU group %d is split: %s goes to %s, %s to %s; "
						    "a group belongs to one VM at a time, give it "
						    "whole to one of them", d->group, desc, pa->vm,
						    o->addr_str, pb->vm);
					free(desc);
					problems++;
					break;	/* one line per pair and list */
				}
		}
	}
	return problems;
}

/* What pthook claim binds at boot for p (plan_early). */
static void
early_lines(const struct ctx *c, const struct plan *p)
{
	const struct device **d = xcalloc(plan_size(p), sizeof(*d));
	size_t i, n = plan_early(p, d);

	for (i = 0; i < n; i++)
		printf("%s: %s is claimed early: bound to %s as it appears at boot "
		    "(pthook claim, from udev)\n", p->vm, d[i]->addr_str, c->cfg.driver);
	free(d);
}

static void
json_list(const char *key, const struct planned_list *l)
{
	char sub[16];
	size_t i;

	printf(", \"%s\": [", key);
	for (i = 0; i < l->n; i++) {
		const struct device *d = l->v[i].dev;

		snprintf(sub, sizeof(sub), "%04x:%04x", d->subvendor, d->subdevice);
		printf("%s{\"address\": \"%s\", \"id\": \"%04x:%04x\", \"subsystem\": ",
		    i ? ", " : "", d->addr_str, d->vendor, d->device);
		json_str(stdout, d->has_subsys ? sub : NULL);
		json_field(stdout, "slot", d->slot);
		json_field(stdout, "serial", d->serial);
		json_field(stdout, "name", d->name);
		printf("}");
	}
	printf("]");
}

/* With pcie_acs_override on, each group the VM's devices are in is
 * the override's, not isolation: said once a group. */
static void
acs_groups(const char *acs, struct plan *p)
{
	size_t i, j;

	for (i = 0; acs && i < p->assign.n; i++) {
		const struct device *d = p->assign.v[i].dev;

		for (j = 0; j < i && p->assign.v[j].dev->group != d->group; j++)
			;
		if (j == i && d->group != GROUP_NONE)
			strlist_addf(&p->warnings, "pthook: %s: warning: IOMMU group %d of %s is "
			    "what pcie_acs_override=%s made, not isolation the hardware gives: its "
			    "devices may still reach each other by peer-to-peer DMA", p->vm,
			    d->group, d->addr_str, acs);
	}
}

/* What the VM would get on this host, for a fleet tool to compare
 * hosts by: the devices by identity (their addresses are this host's). */
static void
json_vm(const struct plan *p, const struct input_plan *ip, bool first)
{
	size_t i;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	json_str(stdout, p->vm);
	printf(", \"ok\": %s, \"early\": %s", p->errors.n ? "false" : "true",
	    p->conf->early ? "true" : "false");
	json_list("assign", &p->assign);
	json_list("detach", &p->detach);
	printf(", \"input\": [");
	for (i = 0; i < ip->n; i++) {
		printf("%s{\"event\": \"%s\"", i ? ", " : "", ip->v[i].dev->event);
		json_field(stdout, "name", ip->v[i].dev->name);
		json_field(stdout, "path", input_stable_path(ip->v[i].dev));
		printf("}");
	}
	printf("]");
	json_lines(stdout, "errors", &p->errors, NULL);
	json_lines(stdout, "warnings", &p->warnings, NULL);
	printf("}");
}

int
cmd_check(struct opts *o)
{
	struct claims cl = { 0 };
	struct holders h = { 0 };
	char *acs = NULL;
	struct ctx c;
	size_t i, checked = 0, refused = 0, warnings = 0;
	int rc, cross;

	if (o->install) {
		bool explicit_;

		/* a broken or missing config is one of the findings */
		config_load(config_path(o->config, &explicit_), false, &c.cfg);
		rc = check_install(o, &c.cfg) ? EXIT_REFUSED : EXIT_START;
		config_free(&c.cfg);
		return rc;
	}
	if (o->host) {
		/* the config only adds its devices' resets */
		if ((rc = ctx_open(&c, o, false, SCAN_NAMES)))
			return rc;
		rc = check_host(o, &c) ? EXIT_REFUSED : EXIT_START;
		ctx_close(&c);
		return rc;
	}
	if ((rc = ctx_open(&c, o, true, SCAN_NAMES | SCAN_SERIAL)))
		return rc;
	if ((rc = ctx_check_vms(&c, o->args, o->nargs))) {
		ctx_close(&c);
		return rc;
	}
	if (c.cfg.nvms == 0)
		msg("warning: %s names no VM; add a [vm \"NAME\"] section", c.cfg.path);
	/* as prepare would: a device another running VM holds is refused */
	if (holders_load(state_dir(o->state_dir), "", &h) < 0)
		msg("warning: %s; devices other VMs hold not checked", error_get());
	claims_build(&c, &h, &cl, true);
	acs = acs_override(proc_root(NULL));
	if (o->json) {
		char host[256] = "";

		gethostname(host, sizeof(host) - 1);
		printf("{\"host\": ");
		json_str(stdout, host);
		printf(", \"vms\": [");
	}
	for (i = 0; i < cl.nplans; i++) {
		struct plan *p = &cl.plans[i];

		if (!vm_wanted(p->vm, o->args, o->nargs))
			continue;
		reset_advice(c.sysfs, p);
		acs_groups(acs, p);
		if (p->conf->units.n && !p->conf->handoff)
			strlist_addf(&p->warnings, "pthook: %s: warning: units = does nothing "
			    "without console = handoff", p->vm);
		/* a section without pci = rules leaves PCI alone (plan.h) */
		if (p->conf->npci + p->conf->nusb + p->conf->ninput == 0)
			strlist_addf(&p->warnings, "pthook: %s: warning: the section names no "
			    "device (no pci =, usb = or input = rule): pthook leaves this VM "
			    "alone", p->vm);
		warnings += p->warnings.n;
		refused += p->errors.n > 0;
		if (o->json) {
			json_vm(p, &cl.inputs[i], checked++ == 0);
			continue;
		}
		checked++;
		if (o->verbose)
			strlist_print(stdout, &p->steps);
		if (p->conf->early && p->errors.n == 0)
			early_lines(&c, p);
		strlist_print(stderr, &p->errors);
		strlist_print(stderr, &p->warnings);
	}
	cross = cross_check(&cl, o->args, o->nargs);
	if (o->json)
		printf("%s], \"refused\": %zu, \"conflicts\": %d, \"warnings\": %zu}\n",
		    checked ? "\n" : "", refused, cross, warnings);
	else
		printf("%zu VM%s checked: %zu ok, %zu refused, %d conflict%s, %zu warning%s\n",
		    checked, checked == 1 ? "" : "s", checked - refused, refused, cross,
		    cross == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	free(acs);
	claims_free(&cl, c.inv.n);
	holders_free(&h);
	ctx_close(&c);
	return refused || cross ? EXIT_REFUSED : EXIT_START;
}
