#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "inputscan.h"
#include "openers.h"
#include "rebind.h"
#include "sysfs.h"
#include "usbscan.h"
#include "util.h"

int
ctx_open(struct ctx *c, const struct opts *o, bool need_config, unsigned scan)
{
	bool explicit_;
	const char *path = config_path(o->config, &explicit_);

	memset(c, 0, sizeof(*c));
	if (config_load(path, need_config || explicit_, &c->cfg) < 0) {
		/* every problem, one line each: the file was read whole */
		if (c->cfg.unsafe)
			msg("%s", c->cfg.unsafe);
		for (size_t i = 0; i < c->cfg.nerrors; i++)
			msg("%s", c->cfg.errors[i].text);
		config_free(&c->cfg);
		return EXIT_USAGE;
	}
	if (ctx_scan(c, sysfs_root(o->sysfs), scan, NULL) < 0) {
		msg("%s", error_get());
		config_free(&c->cfg);
		return EXIT_HOST;
	}
	return 0;
}

static bool
has_usb_rules(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].nusb)
			return true;
	return false;
}

int
ctx_scan(struct ctx *c, const char *sysfs, unsigned flags, const struct scan_focus *f)
{
	c->sysfs = sysfs;
	if (c->cfg.uses & M_SERIAL)
		flags |= SCAN_SERIAL;
	if (c->cfg.uses & M_NAME)
		flags |= SCAN_NAMES;
	c->scan = flags;
	if (inv_scan(sysfs, flags, f, &c->inv) < 0 ||
	    ((flags & SCAN_USB) && has_usb_rules(&c->cfg) && usb_scan(sysfs, &c->usb) < 0))
		return -1;
	criticals_load(sysfs, &c->inv, &c->crit);
	return 0;
}

int
ctx_scan_vm(struct ctx *c, const char *sysfs, unsigned flags, const char *vm,
    const struct domxml *x, const struct record *mine)
{
	struct scan_focus f = { .vm = config_vm(&c->cfg, vm) };
	struct pci_addr *a = NULL;
	size_t i, cap = 0;
	int r;

	for (i = 0; x && i < x->n; i++)
		*PUSH(a, f.naddrs, cap) = x->hostdevs[i].addr;
	for (i = 0; mine && i < mine->n; i++)
		*PUSH(a, f.naddrs, cap) = mine->v[i].addr;
	f.addrs = a;
	r = ctx_scan(c, sysfs, flags, &f);
	free(a);
	return r;
}

void
ctx_drop_scan(struct ctx *c)
{
	criticals_free(&c->crit);
	inv_free(&c->inv);
	usb_inv_free(&c->usb);
	input_inv_free(&c->input);
}

void
ctx_close(struct ctx *c)
{
	ctx_drop_scan(c);
	config_free(&c->cfg);
}

bool
vm_wanted(const char *vm, char **names, int n)
{
	int i;

	for (i = 0; vm && i < n; i++)
		if (strcmp(names[i], vm) == 0)
			return true;
	return n == 0;
}

int
ctx_check_vms(const struct ctx *c, char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (config_vm(&c->cfg, names[i]) == NULL) {
			msg("%s: no [vm \"%s\"] section in %s; add one or check the name",
			    names[i], names[i], c->cfg.path);
			return EXIT_USAGE;
		}
	return 0;
}

static void
plan_once(const struct ctx *c, const char *vm, const struct domxml *x,
    const struct holders *h, struct plan *p)
{
	struct plan_input in = { .cfg = &c->cfg, .inv = &c->inv, .vm = vm,
		.critical = c->crit.v, .ncritical = c->crit.n };

	if (x) {
		in.have_xml = true;
		in.hostdevs = x->hostdevs;
		in.nhostdevs = x->n;
	}
	if (h) {
		in.held = h->v;
		in.nheld = h->n;
	}
	plan_build(&in, p);
}

static void
partial_in(const struct planned_list *l, struct pci_addr **a, size_t *n, size_t *cap)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].dev->partial)
			*PUSH(*a, *n, *cap) = l->v[i].dev->addr;
}

/* A refusal names every candidate of the VM's rules (an ambiguous
 * rule lists them): those too, with their slots and names. */
static void
partial_candidates(const struct ctx *c, const char *vm, struct pci_addr **a, size_t *n,
    size_t *cap)
{
	const struct vm_conf *v = config_vm(&c->cfg, vm);
	size_t i, j;

	for (i = 0; v && i < c->inv.n; i++)
		for (j = 0; c->inv.devs[i].partial && j < v->npci; j++)
			if (match_device(&v->pci[j].m, &c->inv.devs[i])) {
				*PUSH(*a, *n, *cap) = c->inv.devs[i].addr;
				break;
			}
}

/* A focused scan leaves the candidates of id-only rules partial
 * (sysfs.h): what the plan selected is read in full, with its group,
 * and the plan made again on what that says (its driver, its mates,
 * whether the host needs it). */
void
ctx_plan(struct ctx *c, const char *vm, const struct domxml *x, const struct holders *h,
    struct plan *p)
{
	struct pci_addr *a = NULL;
	size_t n = 0, cap = 0;

	plan_once(c, vm, x, h, p);
	partial_in(&p->assign, &a, &n, &cap);
	partial_in(&p->detach, &a, &n, &cap);
	partial_in(&p->mates, &a, &n, &cap);
	if (p->errors.n)
		partial_candidates(c, vm, &a, &n, &cap);
	if (n == 0)
		return;
	plan_free(p);
	if (inv_complete(c->sysfs, c->scan, a, n, &c->inv) < 0) {
		memset(p, 0, sizeof(*p));
		p->vm = vm;
		p->configured = true;
		strlist_addf(&p->errors, "pthook: %s: %s", vm, error_get());
	} else {
		criticals_complete(c->sysfs, &c->inv, &c->crit);
		plan_once(c, vm, x, h, p);
	}
	free(a);
}

/* With console = handoff: the GPU of p the host's console is on, the
 * boot VGA device (the plan found it) or one with fbcon or a firmware
 * framebuffer on it.  A rule's force skips the plan's guard, not the
 * handoff. */
static const struct device *
console_gpu(const struct ctx *c, const struct plan *p)
{
	struct console_hold ch;
	size_t i, j;

	if (p->console || p->conf == NULL || !p->conf->handoff)
		return p->console;
	for (i = 0; i < p->assign.n; i++) {
		const struct device *d = p->assign.v[i].dev;

		for (j = 0; j < c->crit.n; j++)
			if (c->crit.v[j].console && pci_addr_eq(&c->crit.v[j].addr, &d->addr))
				return d;
		if (openers_console(c->sysfs, proc_root(NULL), d, &ch))
			return d;
	}
	return NULL;
}

static void
openers_in(const struct ctx *c, const struct plan *p, const struct planned_list *l,
    struct strlist *lines, struct pci_addr **seen, size_t *nseen, size_t *cap)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct device *d = l->v[i].dev;

		/* the handoff's: its console is a step, its holders are
		 * looked for once the units stopped */
		if (driver_is_viable(d->driver, c->cfg.driver) || d == p->console)
			continue;	/* nothing to unbind */
		for (j = 0; j < *nseen && !pci_addr_eq(&(*seen)[j], &d->addr); j++)
			;
		if (j < *nseen)
			continue;
		*PUSH(*seen, *nseen, *cap) = d->addr;
		openers_of(c->sysfs, proc_root(NULL), dev_root(), d, HOLD_PROCS | HOLD_CONSOLE,
		    lines);
	}
}

void
ctx_openers(const struct ctx *c, struct plan *p)
{
	struct strlist lines = { 0 };
	struct pci_addr *seen = NULL;
	size_t i, nseen = 0, cap = 0;

	if (!p->configured || c->sysfs == NULL)
		return;
	p->console = console_gpu(c, p);
	openers_in(c, p, &p->assign, &lines, &seen, &nseen, &cap);
	openers_in(c, p, &p->detach, &lines, &seen, &nseen, &cap);
	for (i = 0; i < lines.n; i++)
		strlist_addf(&p->errors, "pthook: %s: %s", p->vm, lines.v[i]);
	strlist_free(&lines);
	free(seen);
	if (p->console) {
		struct handoff h;

		handoff_find(c->sysfs, proc_root(NULL), p, &h);
		handoff_explain(&h, p);
		handoff_free(&h);
	}
}

void
ctx_add_usb(const struct ctx *c, const char *vm, struct domxml *x, struct usb_plan *up)
{
	usb_plan_build(&c->cfg, vm, &c->usb, x->usb, x->nusb, up);
	domxml_add_usb(x, up);
}

/* vm's input rules against x's evdev elements (x NULL: none), into
 * ip.  -1 with error_set() when the input devices cannot be read. */
static int
inputs_against(struct ctx *c, const char *vm, const struct domxml *x, struct input_plan *ip)
{
	const struct vm_conf *v = config_vm(&c->cfg, vm);
	struct evdev_have *have;
	char **events;
	size_t i, n = x ? x->nevdev : 0;

	memset(ip, 0, sizeof(*ip));
	if (v == NULL || v->ninput == 0)
		return 0;
	if (c->input.v == NULL && input_scan(c->sysfs, dev_root(), &c->input) < 0)
		return -1;
	input_plan_build(&c->cfg, vm, &c->input, ip);
	if (ip->errors.n || x == NULL)
		return 0;
	have = xcalloc(n + 1, sizeof(*have));
	events = xcalloc(n + 1, sizeof(*events));
	for (i = 0; i < n; i++) {
		events[i] = input_event_of(dev_root(), x->evdev[i].dev);
		have[i] = (struct evdev_have){ x->evdev[i].dev, events[i] };
	}
	input_plan_xml(ip, vm, &c->input, have, n);
	for (i = 0; i < n; i++)
		free(events[i]);
	free(events);
	free(have);
	return 0;
}

int
ctx_add_input(struct ctx *c, const char *vm, struct domxml *x, struct input_plan *ip)
{
	if (inputs_against(c, vm, x, ip) < 0)
		return -1;
	domxml_input(x, ip);
	return 0;
}

static void
take_lines(struct strlist *to, const struct strlist *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		strlist_addf(to, "%s", from->v[i]);
}

/* A start would hand the guest a device an earlier release kept
 * because it did not survive (state.h: kept), and is still dead. */
static void
refuse_dead(const char *sysfs, const struct record *mine, struct plan *p)
{
	char as[PCI_ADDR_STRLEN], *hint;
	size_t i;

	for (i = 0; mine && i < mine->n; i++)
		if (mine->v[i].kept && rebind_alive(sysfs, &mine->v[i].addr) == 0) {
			hint = revive_hint(pci_addr_fmt(&mine->v[i].addr, as));
			strlist_addf(&p->errors, "pthook: %s: %s did not survive the last run "
			    "and still reads ffff; %s", p->vm, as, hint);
			free(hint);
		}
}

void
ctx_verdict(struct ctx *c, const char *vm, const struct domxml *x, const struct holders *h,
    const struct record *mine, struct plan *p, struct input_plan *ip)
{
	ctx_plan(c, vm, x, h, p);
	/* names and serials only when a person will read them (a start
	 * that goes through never loads the ids file), and then as check
	 * reads them: the same refusal says the same words everywhere */
	if ((p->errors.n || p->stale.n) && (c->scan & SCAN_WORDS) != SCAN_WORDS &&
	    inv_lookup(c->sysfs, SCAN_WORDS, &c->inv) == 0) {
		plan_free(p);
		ctx_plan(c, vm, x, h, p);
	}
	ctx_openers(c, p);
	refuse_dead(c->sysfs, mine, p);
	if (ip == NULL)
		return;
	if (inputs_against(c, vm, x, ip) < 0)
		strlist_addf(&p->errors, "pthook: %s: %s", vm, error_get());
	take_lines(&p->steps, &ip->steps);
	take_lines(&p->errors, &ip->errors);
	take_lines(&p->stale, &ip->stale);
	take_lines(&p->warnings, &ip->warnings);
}
