#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
addf(struct plan *p, struct strlist *l, const char *fmt, va_list ap) PRINTF(3, 0);

static void
addf(struct plan *p, struct strlist *l, const char *fmt, va_list ap)
{
	char *m = xvasprintf(fmt, ap);

	strlist_addf(l, "pthook: %s: %s", p->vm, m);
	free(m);
}

static void
refuse(struct plan *p, const char *fmt, ...) PRINTF(2, 3);

static void
refuse(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	addf(p, &p->errors, fmt, ap);
	va_end(ap);
}

/* A difference between the definition and the target set: a refusal
 * for prepare, a fix for migrate/restore and apply. */
static void
stale(struct plan *p, const char *fmt, ...) PRINTF(2, 3);

static void
stale(struct plan *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	addf(p, &p->stale, fmt, ap);
	va_end(ap);
}

bool
plan_has(const struct planned_list *l, const struct device *d)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].dev == d)
			return true;
	return false;
}

static struct planned *
add_planned(struct planned_list *l, const struct device *d,
    const struct rule *r, const struct device *via)
{
	struct planned *e = PUSH(l->v, l->n, l->cap);

	memset(e, 0, sizeof(*e));
	e->dev = d;
	e->rule = r;
	e->via = via;
	return e;
}

/* The keys that would tell candidates apart, for the refusal text. */
static char *
disambiguation(const struct device **c, size_t n)
{
	bool subsys = false, slot = false, serial = false, driver = false;
	struct strlist keys = { 0 };
	size_t i, j;
	char *out;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			const struct device *a = c[i], *b = c[j];
			const char *da = dev_identity_driver(a), *db = dev_identity_driver(b);

			subsys |= a->has_subsys && b->has_subsys &&
			    (a->subvendor != b->subvendor || a->subdevice != b->subdevice);
			slot |= a->slot && b->slot && strcmp(a->slot, b->slot) != 0;
			serial |= a->serial && b->serial && strcmp(a->serial, b->serial) != 0;
			driver |= (da == NULL) != (db == NULL) ||
			    (da && db && strcmp(da, db) != 0);
		}
	if (subsys)
		strlist_add(&keys, xstrdup("subsystem="));
	if (slot)
		strlist_add(&keys, xstrdup("slot="));
	if (serial)
		strlist_add(&keys, xstrdup("serial="));
	if (driver)
		strlist_add(&keys, xstrdup("driver="));
	if (keys.n == 0) {
		out = xstrdup("pick one with index=N (address order) or take them all with 'all'");
	} else {
		char *list = xstrdup("");

		for (i = 0; i < keys.n; i++) {
			char *t = xasprintf("%s%s%s", list, i ? " or " : "", keys.v[i]);

			free(list);
			list = t;
		}
		out = xasprintf("tell them apart with %s, or pick one with index=N "
		    "(address order)", list);
		free(list);
	}
	strlist_free(&keys);
	return out;
}

static char *
describe_candidates(const struct device **c, size_t n)
{
	char *out = xstrdup(""), *t, *d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = dev_describe(c[i]);
		t = xasprintf("%s%s%s", out, i ? ", " : "", d);
		free(d);
		free(out);
		out = t;
		if (c[i]->has_subsys || c[i]->slot) {
			char sub[16] = "";

			if (c[i]->has_subsys)
				snprintf(sub, sizeof(sub), "%04x:%04x", c[i]->subvendor,
				    c[i]->subdevice);
			t = xasprintf("%s [%s%s%s%s]", out, c[i]->has_subsys ? "subsystem " : "",
			    sub, c[i]->slot ? (c[i]->has_subsys ? ", slot " : "slot ") : "",
			    c[i]->slot ? c[i]->slot : "");
			free(out);
			out = t;
		}
	}
	return out;
}

/* Rules of one VM that create VFs on one PF must agree on how many. */
static void
plan_create(struct plan *p, const struct plan_input *in, const struct rule *r,
    const struct device *pf, const char *d)
{
	struct vf_create *c;
	size_t i;

	for (i = 0; i < p->ncreates; i++)
		if (p->creates[i].pf == pf && p->creates[i].rule->m.numvfs != r->m.numvfs) {
			refuse(p, "'pci = %s' (%s:%d) and '%s' (line %d) ask for %ld and "
			    "%ld VFs on %s; give both the same numvfs=", r->m.text,
			    in->cfg->path, r->line, p->creates[i].rule->m.text,
			    p->creates[i].rule->line, r->m.numvfs,
			    p->creates[i].rule->m.numvfs, d);
			return;
		}
	strlist_addf(&p->steps, "%s: create %ld VFs on %s (numvfs=%ld); VF %ld goes to "
	    "the VM once it exists", p->vm, r->m.numvfs, d, r->m.numvfs, r->m.vf);
	for (i = 0; i < p->ncreates; i++)
		if (p->creates[i].pf == pf)
			return;
	c = PUSH(p->creates, p->ncreates, p->createcap);
	c->pf = pf;
	c->rule = r;
}

/* vf=N of a rule: the VF of the PF the criteria selected, else NULL
 * with the refusal, or with VFs to create (numvfs=). */
static const struct device *
select_vf(struct plan *p, const struct plan_input *in, const struct rule *r,
    const struct device *pf)
{
	const struct device *v = inv_vf(in->inv, pf, r->m.vf);
	char *d = dev_describe(pf);
	long want = r->m.keys & M_NUMVFS ? r->m.numvfs : r->m.vf + 1;

	if (v) {
		if ((r->m.keys & M_NUMVFS) && pf->numvfs != r->m.numvfs)
			strlist_addf(&p->warnings, "pthook: %s: warning: %s has %d VFs, not "
			    "the numvfs=%ld of 'pci = %s' (%s:%d); pthook never resizes a PF "
			    "that has VFs (it would destroy the ones in use)", p->vm, d,
			    pf->numvfs, r->m.numvfs, r->m.text, in->cfg->path, r->line);
	} else if (pf->totalvfs == 0) {
		refuse(p, "'pci = %s' wants VF %ld of %s, which has no SR-IOV "
		    "(no sriov_totalvfs) (%s:%d); the criteria must name the physical "
		    "function", r->m.text, r->m.vf, d, in->cfg->path, r->line);
	} else if (want > pf->totalvfs) {
		refuse(p, "'pci = %s' wants VF %ld of %s, which can have at most %d VFs "
		    "(%s:%d); lower vf=%s", r->m.text, r->m.vf, d, pf->totalvfs,
		    in->cfg->path, r->line, r->m.keys & M_NUMVFS ? " and numvfs=" : "");
	} else if (pf->numvfs == 0 && (r->m.keys & M_NUMVFS) && pf->driver == NULL) {
		refuse(p, "'pci = %s' would create VFs on %s, which no driver drives "
		    "(%s:%d); the kernel creates VFs through the PF's driver: bind it "
		    "(echo %s > /sys/bus/pci/drivers_probe)", r->m.text, d, in->cfg->path,
		    r->line, pf->addr_str);
	} else if (pf->numvfs == 0 && (r->m.keys & M_NUMVFS)) {
		plan_create(p, in, r, pf, d);
	} else if (pf->numvfs == 0) {
		refuse(p, "'pci = %s' wants VF %ld of %s, which has no VFs (at most %d) "
		    "(%s:%d); add numvfs=%ld to the rule, or create them: echo %ld > "
		    "/sys/bus/pci/devices/%s/sriov_numvfs", r->m.text, r->m.vf, d,
		    pf->totalvfs, in->cfg->path, r->line, want, want, pf->addr_str);
	} else {
		refuse(p, "'pci = %s' wants VF %ld of %s, which has %d VF%s (VF 0 to %d) "
		    "(%s:%d); pick one of those, or recreate them: echo 0 > "
		    "/sys/bus/pci/devices/%s/sriov_numvfs, then echo %ld > it (this "
		    "destroys the VFs it has)", r->m.text, r->m.vf, d, pf->numvfs,
		    pf->numvfs == 1 ? "" : "s", pf->numvfs - 1, in->cfg->path, r->line,
		    pf->addr_str, want);
	}
	free(d);
	return v;
}

/* Candidates of a rule: a vf= rule's criteria name a PF, never a VF. */
static bool
candidate(const struct rule *r, const struct device *d)
{
	return match_device(&r->m, d) && !((r->m.keys & M_VF) && d->is_vf);
}

static void
resolve_rule(struct plan *p, const struct plan_input *in, const struct rule *r)
{
	const struct inventory *inv = in->inv;
	const struct device **cand = NULL;
	size_t n = 0, cap = 0, i, first, last;
	char *list, *hint;

	for (i = 0; i < inv->n; i++)
		if (candidate(r, &inv->devs[i]))
			*PUSH(cand, n, cap) = &inv->devs[i];
	if (n == 0 && p->conf->hotplug) {
		/* an eGPU or a Thunderbolt dock may come later */
		strlist_addf(&p->steps, "%s: rule '%s' (line %d) matches no device now; "
		    "pthook watch attaches it when it appears (hotplug = yes)", p->vm,
		    r->m.text, r->line);
		goto out;
	}
	if (n == 0) {
		refuse(p, "'pci = %s' matches no device (%s:%d); see 'pthook list' "
		    "for what this host has", r->m.text, in->cfg->path, r->line);
		goto out;
	}
	first = 0;
	last = n;
	if (r->m.keys & M_INDEX) {
		if ((size_t)r->m.index >= n) {
			list = describe_candidates(cand, n);
			refuse(p, "'pci = %s' wants index %ld but only %zu device%s "
			    "match (%s:%d): %s; lower the index", r->m.text, r->m.index,
			    n, n == 1 ? "" : "s", in->cfg->path, r->line, list);
			free(list);
			goto out;
		}
		first = (size_t)r->m.index;
		last = first + 1;
	} else if (!(r->m.keys & M_ALL) && n > 1) {
		list = describe_candidates(cand, n);
		hint = disambiguation(cand, n);
		refuse(p, "'pci = %s' is ambiguous, %zu devices match (%s:%d): %s; %s",
		    r->m.text, n, in->cfg->path, r->line, list, hint);
		free(list);
		free(hint);
		goto out;
	}
	for (i = first; i < last; i++) {
		const struct device *t = r->m.keys & M_VF ? select_vf(p, in, r, cand[i]) :
		    cand[i];
		char *d, *via;

		if (t == NULL)
			continue;
		d = dev_describe(t);
		if (r->m.keys & M_VF) {
			char *pf = dev_describe(cand[i]);

			via = xasprintf(": VF %d of %s", t->vf_index, pf);
			free(pf);
		} else {
			via = xstrdup("");
		}
		if (plan_has(&p->assign, t)) {
			strlist_addf(&p->steps, "%s: rule '%s' (line %d) selects %s%s again",
			    p->vm, r->m.text, r->line, d, via);
		} else {
			add_planned(&p->assign, t, r, NULL);
			strlist_addf(&p->steps, "%s: rule '%s' (line %d) selects %s%s",
			    p->vm, r->m.text, r->line, d, via);
		}
		free(via);
		free(d);
	}
	if (match_is_address_only(&r->m))
		strlist_addf(&p->warnings, "pthook: %s: warning: 'pci = %s' names a bus address "
		    "(%s:%d), which moves when cards are added or firmware changes; "
		    "name the device by vendor:device, subsystem or slot", p->vm,
		    r->m.text, in->cfg->path, r->line);
out:
	free(cand);
}

/* SPEC §5.2.3: every other endpoint of an assigned device's group is
 * assigned too, detached, or already harmless. */
static void
complete_groups(struct plan *p, const struct plan_input *in)
{
	const struct inventory *inv = in->inv;
	const char *vdrv = in->cfg->driver;
	size_t i, j, n0 = p->assign.n;

	for (i = 0; i < n0; i++) {
		const struct device *t = p->assign.v[i].dev;
		char *td;

		if (t->group == GROUP_NONE) {
			td = dev_describe(t);
			refuse(p, "%s is in no IOMMU group, VFIO cannot pass it through; "
			    "enable the IOMMU (intel_iommu=on or amd_iommu=on) and reboot", td);
			free(td);
			continue;
		}
		for (j = 0; j < inv->n; j++) {
			const struct device *m = &inv->devs[j];
			char *md;

			if (m->group != t->group || m == t || m->bridge ||
			    plan_has(&p->assign, m) || plan_has(&p->detach, m) ||
			    plan_has(&p->mates, m))
				continue;
			md = dev_describe(m);
			switch (p->conf->group) {
			case GROUP_ASSIGN:
				add_planned(&p->assign, m, NULL, t);
				strlist_addf(&p->steps, "%s: group %d: %s joins the VM "
				    "(group = assign)", p->vm, m->group, md);
				strlist_addf(&p->warnings, "pthook: %s: warning: %s goes to the VM only "
				    "because it shares IOMMU group %d with %s; name it in a rule "
				    "or set group = detach", p->vm, md, m->group, t->addr_str);
				break;
			case GROUP_DETACH:
				if (driver_is_viable(m->driver, vdrv)) {
					add_planned(&p->mates, m, NULL, t);
					strlist_addf(&p->steps, "%s: group %d: %s stays on %s, "
					    "which keeps the group viable", p->vm, m->group, md,
					    m->driver ? m->driver : "no driver");
				} else {
					add_planned(&p->detach, m, NULL, t);
					strlist_addf(&p->steps, "%s: group %d: detach %s from %s "
					    "to %s (group = detach)", p->vm, m->group, md,
					    m->driver, vdrv);
				}
				break;
			case GROUP_STRICT:
				if (driver_is_viable(m->driver, vdrv))
					add_planned(&p->mates, m, NULL, t);
				else
					refuse(p, "IOMMU group %d is not viable: %s is bound to %s "
					    "(group = strict); unbind it, or set group = detach "
					    "or assign", m->group, md, m->driver);
				break;
			}
			free(md);
		}
	}
}

static int
cmp_planned(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct planned *)a)->dev->addr,
	    &((const struct planned *)b)->dev->addr);
}

static void
sort_planned(struct planned_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_planned);
}

static const struct hostdev *
find_hostdev(const struct plan_input *in, const struct pci_addr *a)
{
	size_t i;

	for (i = 0; i < in->nhostdevs; i++)
		if (pci_addr_eq(&in->hostdevs[i].addr, a))
			return &in->hostdevs[i];
	return NULL;
}

/* The element of the definition that stands for a, if any: at its
 * address, or the one that moves to it. */
static const struct hostdev *
element_of(const struct plan *p, const struct plan_input *in, const struct device *d)
{
	const struct hostdev *h = find_hostdev(in, &d->addr);
	size_t i;

	for (i = 0; h == NULL && i < p->nmoves; i++)
		if (pci_addr_eq(&p->moves[i].to, &d->addr))
			h = find_hostdev(in, &p->moves[i].from);
	return h;
}

/* An element's device is in the target set (SPEC §4: it stays). */
static bool
stays(const struct plan *p, const struct plan_input *in, const struct hostdev *h)
{
	const struct device *now = inv_find(in->inv, &h->addr);

	return find_hostdev(in, &h->addr) == h && now && plan_has(&p->assign, now);
}

/* What a stale element stood for (SPEC §4): the ids pthook's metadata
 * gives for it; else those of the device at its address now (a card
 * swapped for another of its model, a VF for a sibling); else nothing,
 * and only its function number speaks for it (a multi-function card
 * moves as a whole). */
struct stale_elem {
	const struct hostdev *h;
	unsigned vendor, device, subvendor, subdevice;
	bool ids, subsys, done;
};

/* How far apart two addresses are: 0 the same slot and function (a
 * renumbered bus), 1 the same function, 2 further. */
static int
distance(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->func != b->func)
		return 2;
	return a->slot == b->slot ? 0 : 1;
}

static bool
may_be(const struct stale_elem *e, const struct device *d, int level)
{
	if (distance(&e->h->addr, &d->addr) != level)
		return false;
	if (!e->ids)
		return level < 2;
	return e->vendor == d->vendor && e->device == d->device &&
	    (!e->subsys || (d->has_subsys && e->subvendor == d->subvendor &&
	    e->subdevice == d->subdevice));
}

/* The stale elements of one kind (ids known or not) and the target
 * devices that no element is at yet. */
struct pairing {
	struct plan *p;
	struct stale_elem *e;
	const struct device **d;
	bool *used;
	size_t ne, nd;
	bool ids;
};

static bool
open_pair(const struct pairing *w, size_t i, size_t j, int level)
{
	return !w->e[i].done && w->e[i].ids == w->ids && !w->used[j] &&
	    may_be(&w->e[i], w->d[j], level);
}

/* Elements left with more than one choice at the nearest level are a
 * tie: refused, naming them, never settled by document order. */
static void
refuse_tie(struct pairing *w, size_t first, int level)
{
	struct strlist els = { 0 }, devs = { 0 };
	char a[PCI_ADDR_STRLEN], *e, *d;
	size_t i, j;

	for (j = 0; j < w->nd; j++) {
		if (!open_pair(w, first, j, level))
			continue;
		if (!strlist_has(&devs, w->d[j]->addr_str))
			strlist_addf(&devs, "%s", w->d[j]->addr_str);
		for (i = 0; i < w->ne; i++)
			if (open_pair(w, i, j, level) &&
			    !strlist_has(&els, pci_addr_fmt(&w->e[i].h->addr, a)))
				strlist_addf(&els, "%s", a);
	}
	for (i = 0; i < w->ne; i++)
		if (strlist_has(&els, pci_addr_fmt(&w->e[i].h->addr, a)))
			w->e[i].done = true;
	for (j = 0; j < w->nd; j++)
		w->used[j] |= strlist_has(&devs, w->d[j]->addr_str);
	e = strlist_join(&els, " and ");
	d = strlist_join(&devs, " and ");
	refuse(w->p, "hostdev elements %s could each stand for %s (the same device by the "
	    "rules, equally near): pthook will not guess which keeps which settings (MAC, "
	    "VLAN, ROM, guest address); point each at its device (virsh edit %s), then run: "
	    "pthook apply --vm %s", e, d, w->p->vm, w->p->vm);
	free(e);
	free(d);
	strlist_free(&els);
	strlist_free(&devs);
}

/* One level: pair what has exactly one choice both ways, until nothing
 * more pairs; what is left with choices is a tie. */
static void
pair_level(struct pairing *w, int level)
{
	bool more = true;
	size_t i, j, k, n, last = 0;

	while (more) {
		more = false;
		for (i = 0; i < w->ne; i++) {
			for (j = 0, n = 0; j < w->nd; j++)
				if (open_pair(w, i, j, level))
					n++, last = j;
			if (n != 1)
				continue;
			for (k = 0, n = 0; k < w->ne; k++)
				n += open_pair(w, k, last, level);
			if (n != 1)
				continue;
			w->e[i].done = w->used[last] = more = true;
			*PUSH(w->p->moves, w->p->nmoves, w->p->movecap) =
			    (struct move){ w->e[i].h->addr, w->d[last]->addr };
		}
	}
	for (i = 0; i < w->ne; i++)
		for (j = 0; j < w->nd; j++)
			if (open_pair(w, i, j, level)) {
				refuse_tie(w, i, level);
				break;
			}
}

/* SPEC §4: a device that moved, or one that took a stale element's
 * place, keeps the element: stale elements pair with the target
 * devices the definition lacks, those whose ids are known first, each
 * with the device nearest to it. */
static void
pair_moves(struct plan *p, const struct plan_input *in)
{
	struct pairing w = { .p = p };
	size_t i;
	int level;

	w.e = xcalloc(in->nhostdevs + 1, sizeof(*w.e));
	w.d = xcalloc(p->assign.n + 1, sizeof(*w.d));
	w.used = xcalloc(p->assign.n + 1, sizeof(*w.used));
	for (i = 0; i < in->nhostdevs; i++) {
		const struct hostdev *h = &in->hostdevs[i];
		const struct device *now = inv_find(in->inv, &h->addr);
		struct stale_elem *e = &w.e[w.ne];

		if (find_hostdev(in, &h->addr) != h || stays(p, in, h))
			continue;
		w.ne++;
		e->h = h;
		if (h->known) {
			*e = (struct stale_elem){ h, h->vendor, h->device, h->subvendor,
			    h->subdevice, true, h->subvendor || h->subdevice, false };
		} else if (now) {
			*e = (struct stale_elem){ h, now->vendor, now->device, 0, 0, true,
			    false, false };
		}
	}
	for (i = 0; i < p->assign.n; i++)
		if (!find_hostdev(in, &p->assign.v[i].dev->addr))
			w.d[w.nd++] = p->assign.v[i].dev;
	for (w.ids = true;; w.ids = false) {
		for (level = 0; level < 3; level++)
			pair_level(&w, level);
		if (!w.ids)
			break;
	}
	free(w.e);
	free(w.d);
	free(w.used);
}

/* managed= and the element's form come from the definition where it
 * has the device; managed='no' ones are not detached by libvirt:
 * pthook does it. */
static void
unmanaged(struct plan *p, const struct plan_input *in)
{
	size_t i, n = p->assign.n;

	for (i = 0; i < n; i++) {
		struct planned *a = &p->assign.v[i];
		const struct hostdev *h = in->have_xml ? element_of(p, in, a->dev) : NULL;
		const char *drv = a->dev->driver;
		char *d;

		a->managed = h ? h->managed : p->conf->managed;
		a->iface = h ? h->iface : a->rule && (a->rule->m.keys & M_IFACE);
		if (a->managed || (drv && strcmp(drv, in->cfg->driver) == 0))
			continue;
		add_planned(&p->detach, a->dev, a->rule, NULL);
		d = dev_describe(a->dev);
		strlist_addf(&p->steps, "%s: detach %s from %s to %s (managed='no')",
		    p->vm, d, drv ? drv : "no driver", in->cfg->driver);
		free(d);
	}
}

static const struct critical *
critical_of(const struct plan_input *in, const struct device *d)
{
	size_t i;

	for (i = 0; i < in->ncritical; i++)
		if (pci_addr_eq(&in->critical[i].addr, &d->addr))
			return &in->critical[i];
	return NULL;
}

/* The other running VM that holds d, or NULL. */
static const char *
held_elsewhere(const struct plan *p, const struct plan_input *in, const struct device *d)
{
	size_t i;

	for (i = 0; i < in->nheld; i++)
		if (pci_addr_eq(&in->held[i].addr, &d->addr) && strcmp(in->held[i].vm, p->vm))
			return in->held[i].vm;
	return NULL;
}

/* A PF whose driver lets go destroys its VFs (the driver disables
 * SR-IOV on unbind): never while one is in use.  The host's use of a
 * VF makes the PF host-critical (critical.c). */
static void
guard_vfs(struct plan *p, const struct plan_input *in, const struct device *pf,
    const char *desc)
{
	const struct device *v = NULL;
	const char *vm;

	while ((v = inv_next_vf(in->inv, pf, v)) != NULL) {
		if ((vm = held_elsewhere(p, in, v)) != NULL)
			refuse(p, "%s is the PF of %s, which running VM '%s' holds: taking "
			    "the PF destroys its VFs; stop that VM first", desc, v->addr_str, vm);
		else if (plan_has(&p->assign, v))
			refuse(p, "%s and its VF %s both go to the VM: taking the PF "
			    "destroys its VFs; pass one or the other", desc, v->addr_str);
	}
	if (pf->numvfs && !driver_is_viable(pf->driver, in->cfg->driver))
		strlist_addf(&p->warnings, "pthook: %s: warning: taking %s from %s removes "
		    "its %d VFs", p->vm, desc, pf->driver, pf->numvfs);
}

/* Devices in skip were already judged (managed='no' hostdevs sit in
 * both lists). */
static void
guard(struct plan *p, const struct plan_input *in, const struct planned_list *l,
    const struct planned_list *skip)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct device *d = l->v[i].dev;
		const struct critical *crit;
		const char *vm;
		char *desc;

		if (skip && plan_has(skip, d))
			continue;
		desc = dev_describe(d);
		for (j = 0; j < in->cfg->nprotect; j++) {
			const struct rule *r = &in->cfg->protect[j];

			if (!match_device(&r->m, d))
				continue;
			refuse(p, "%s is protected by 'protect = %s' (%s:%d); take it out "
			    "of the VM's rules or of protect", desc, r->m.text,
			    in->cfg->path, r->line);
			break;
		}
		if ((crit = critical_of(in, d)) == NULL ||
		    (l->v[i].rule && (l->v[i].rule->m.keys & M_FORCE)))
			;
		else if (crit->console && p->conf && p->conf->handoff && l == &p->assign &&
		    p->console == NULL)
			p->console = d;	/* handoff.h: what the handoff takes */
		else
			refuse(p, "%s is host-critical: %s; pthook will not take it from "
			    "the host (%s)", desc, crit->why, crit->console ?
			    "'console = handoff' in the VM's section hands it over, the "
			    "host's console with it" :
			    "add 'force' to its rule if you really mean it");
		if ((vm = held_elsewhere(p, in, d)) != NULL)
			refuse(p, "%s is held by running VM '%s'; stop that VM first", desc, vm);
		if (d->totalvfs)
			guard_vfs(p, in, d, desc);
		free(desc);
	}
}

static void
diff_xml(struct plan *p, const struct plan_input *in)
{
	size_t i;

	for (i = 0; i < p->assign.n; i++) {
		const struct planned *a = &p->assign.v[i];
		char *d;

		if (find_hostdev(in, &a->dev->addr))
			continue;
		*PUSH(p->add, p->nadd, p->addcap) = a->dev->addr;
		d = dev_describe(a->dev);
		strlist_addf(&p->steps, "%s: add hostdev %s", p->vm, d);
		if (a->rule)
			stale(p, "definition lacks %s, which 'pci = %s' names (%s:%d); "
			    "run: pthook apply --vm %s", d, a->rule->m.text,
			    in->cfg->path, a->rule->line, p->vm);
		else
			stale(p, "definition lacks %s, which shares IOMMU group %d with "
			    "%s (group = assign); run: pthook apply --vm %s", d,
			    a->dev->group, a->via->addr_str, p->vm);
		free(d);
	}
	for (i = 0; i < p->nmoves; i++) {
		char from[PCI_ADDR_STRLEN], to[PCI_ADDR_STRLEN];

		const struct hostdev *h = find_hostdev(in, &p->moves[i].from);

		strlist_addf(&p->steps, "%s: %s \u2192 %s, in place%s%s%s", p->vm,
		    pci_addr_fmt(&p->moves[i].from, from), pci_addr_fmt(&p->moves[i].to, to),
		    *h->keeps ? ": " : "", h->keeps, *h->keeps ? " kept" : "");
	}
	for (i = 0; i < in->nhostdevs; i++) {
		const struct pci_addr *h = &in->hostdevs[i].addr;
		const struct device *now = inv_find(in->inv, h);
		char as[PCI_ADDR_STRLEN], *d;

		if (find_hostdev(in, h) != &in->hostdevs[i]) {
			/* libvirt refuses a device twice; the rewrite keeps the first */
			*PUSH(p->remove, p->nremove, p->removecap) = *h;
			stale(p, "hostdev %s is in the definition twice; run: pthook apply "
			    "--vm %s", pci_addr_fmt(h, as), p->vm);
			continue;
		}
		if (now && plan_has(&p->assign, now))
			continue;
		*PUSH(p->remove, p->nremove, p->removecap) = *h;
		pci_addr_fmt(h, as);
		strlist_addf(&p->steps, "%s: remove hostdev %s", p->vm, as);
		if (now == NULL) {
			stale(p, "hostdev %s: no such device on this host (stale "
			    "definition); run: pthook apply --vm %s", as, p->vm);
			continue;
		}
		d = dev_describe(now);
		stale(p, "hostdev %s holds %s, which no rule names: the guest would "
		    "get the wrong device; run: pthook apply --vm %s", as, d, p->vm);
		free(d);
	}
}

/* Whether a is one end of a move (an element rewritten in place). */
static bool
moved(const struct plan *p, const struct pci_addr *a, bool from)
{
	size_t i;

	for (i = 0; i < p->nmoves; i++)
		if (pci_addr_eq(from ? &p->moves[i].from : &p->moves[i].to, a))
			return true;
	return false;
}

size_t
plan_size(const struct plan *p)
{
	return p->assign.n + p->detach.n + p->mates.n + 1;
}

size_t
plan_early(const struct plan *p, const struct device **out)
{
	size_t i, n = 0;

	for (i = 0; i < p->assign.n; i++)
		out[n++] = p->assign.v[i].dev;
	for (i = 0; i < p->detach.n; i++)
		out[n++] = p->detach.v[i].dev;
	for (i = 0; p->conf->group != GROUP_STRICT && i < p->mates.n; i++)
		if (p->mates.v[i].dev->driver == NULL && !p->mates.v[i].dev->bridge)
			out[n++] = p->mates.v[i].dev;
	return n;
}

void
plan_keep_abi(struct plan *p, const char *op)
{
	char as[PCI_ADDR_STRLEN];
	size_t i;

	if (p->errors.n)
		return;	/* refused already: its changes follow from that */
	for (i = 0; i < p->nadd; i++)
		if (!moved(p, &p->add[i], false))
			strlist_addf(&p->errors, "pthook: %s: %s: this host would give the guest "
			    "%s too, which the incoming definition lacks (a group mate, or a device "
			    "the other host did not have), and libvirt lets a migrated or restored "
			    "guest keep only its own devices; define the VM here (pthook apply --vm "
			    "%s) and start it instead", p->vm, op, pci_addr_fmt(&p->add[i], as), p->vm);
	for (i = 0; i < p->nremove; i++)
		if (!moved(p, &p->remove[i], true))
			strlist_addf(&p->errors, "pthook: %s: %s: hostdev %s of the incoming "
			    "definition stands for no device a rule names here, and libvirt lets a "
			    "migrated or restored guest lose none of its devices; give this host the "
			    "device, or define the VM here (pthook apply --vm %s)", p->vm, op,
			    pci_addr_fmt(&p->remove[i], as), p->vm);
}

void
plan_build(const struct plan_input *in, struct plan *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->vm = in->vm;
	p->conf = config_vm(in->cfg, in->vm);
	p->configured = p->conf != NULL;
	if (!p->configured)
		return;
	/* a section with usb rules alone leaves PCI passthrough alone */
	p->pci = p->conf->npci > 0;
	if (!p->pci)
		return;
	for (i = 0; i < p->conf->npci; i++)
		resolve_rule(p, in, &p->conf->pci[i]);
	complete_groups(p, in);
	sort_planned(&p->assign);
	if (in->have_xml)
		pair_moves(p, in);
	unmanaged(p, in);
	sort_planned(&p->detach);
	guard(p, in, &p->assign, NULL);
	guard(p, in, &p->detach, &p->assign);
	/* held means held, whatever driver the mate is on now */
	guard(p, in, &p->mates, NULL);
	if (in->have_xml)
		diff_xml(p, in);
}

void
plan_free(struct plan *p)
{
	free(p->assign.v);
	free(p->detach.v);
	free(p->mates.v);
	free(p->moves);
	free(p->creates);
	free(p->add);
	free(p->remove);
	strlist_free(&p->errors);
	strlist_free(&p->stale);
	strlist_free(&p->warnings);
	strlist_free(&p->steps);
	memset(p, 0, sizeof(*p));
}
