#include "inputplan.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool
denied(const struct vm_conf *vm, const struct input_dev *d)
{
	size_t i;

	for (i = 0; i < vm->nindeny; i++)
		if (input_match_device(&vm->input_deny[i].m, d))
			return true;
	return false;
}

static void
pick(struct input_plan *p, const struct input_dev *d, const struct input_rule *r)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i].dev == d)
			return;
	*PUSH(p->v, p->n, p->cap) = (struct input_pick){ d, r };
}

static void
resolve(const struct config *cfg, const struct vm_conf *vm, const struct input_rule *r,
    const struct input_inventory *inv, struct input_plan *p)
{
	const struct input_dev **c = xcalloc(inv->n + 1, sizeof(*c));
	size_t i, n = 0;
	char *d;

	for (i = 0; i < inv->n; i++)
		if (input_match_device(&r->m, &inv->v[i]) && !denied(vm, &inv->v[i]))
			c[n++] = &inv->v[i];
	if (n == 0) {
		strlist_addf(&p->errors, "pthook: %s: 'input = %s' matches no input device "
		    "(%s:%d); see 'pthook list' for what this host has", vm->name, r->m.text,
		    cfg->path, r->line);
	} else if (n > 1 && !r->m.all) {
		struct strlist names = { 0 };
		char *joined;

		for (i = 0; i < n; i++)
			strlist_add(&names, input_describe(c[i]));
		joined = strlist_join(&names, ", ");
		strlist_addf(&p->errors, "pthook: %s: 'input = %s' is ambiguous, %zu devices "
		    "match (%s:%d): %s; tell them apart with name=, phys= or kind=, or take "
		    "them all with 'all'", vm->name, r->m.text, n, cfg->path, r->line, joined);
		free(joined);
		strlist_free(&names);
	} else {
		for (i = 0; i < n; i++) {
			d = input_describe(c[i]);
			strlist_addf(&p->steps, "%s: input rule '%s' (line %d) selects %s", vm->name,
			    r->m.text, r->line, d);
			free(d);
			pick(p, c[i], r);
		}
	}
	free(c);
}

void
input_plan_build(const struct config *cfg, const char *vm, const struct input_inventory *inv,
    struct input_plan *p)
{
	const struct vm_conf *v = config_vm(cfg, vm);
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; v && i < v->ninput; i++)
		resolve(cfg, v, &v->input[i], inv, p);
}

char *
input_source(const struct input_pick *pick)
{
	const char *s = input_stable_path(pick->dev);

	return s ? xstrdup(s) : xasprintf("/dev/input/%s", pick->dev->event);
}

/* "/dev/input/event7": a number the next boot may give another device. */
static bool
event_node(const char *dev)
{
	return strncmp(dev, "/dev/input/event", 16) == 0 && dev[16] &&
	    dev[16 + strspn(dev + 16, "0123456789")] == '\0';
}

static void
rewrite(struct input_plan *p, const char *vm, const struct evdev_have *have, size_t h,
    const struct input_pick *to)
{
	char *src = input_source(to), *d = input_describe(to->dev);

	p->rewrite = xreallocarray(p->rewrite, p->nrewrite + 1, sizeof(*p->rewrite));
	p->rewrite[p->nrewrite++] = (struct input_rewrite){ h, to };
	strlist_addf(&p->steps, "%s: input %s is rewritten in place to %s (%s)", vm,
	    have[h].dev, src, d);
	free(src);
	free(d);
}

/* An element the rewrite gives another device makes the definition
 * stale: today it opens the wrong device, or none (SPEC §7: inputs are
 * in the verdict as PCI is). */
static void
stale_element(struct input_plan *p, const char *vm, const struct input_inventory *inv,
    const struct evdev_have *have)
{
	char *d;
	size_t i;

	for (i = 0; have->event && i < inv->n; i++)
		if (strcmp(inv->v[i].event, have->event) == 0)
			break;
	if (have->event == NULL || i == inv->n) {
		strlist_addf(&p->stale, "pthook: %s: <input type='evdev'> %s: no such device "
		    "now (stale definition); run: pthook apply --vm %s", vm, have->dev, vm);
		return;
	}
	d = input_describe(&inv->v[i]);
	strlist_addf(&p->stale, "pthook: %s: <input type='evdev'> %s opens %s now, which no "
	    "input = rule names: the guest would get the wrong device; run: pthook apply "
	    "--vm %s", vm, have->dev, d, vm);
	free(d);
}

void
input_plan_xml(struct input_plan *p, const char *vm, const struct input_inventory *inv,
    const struct evdev_have *have, size_t nhave)
{
	bool *covered = xcalloc(p->n + 1, sizeof(*covered)), *done = xcalloc(nhave + 1, sizeof(*done));
	size_t i, j;
	char *d;

	for (i = 0; i < nhave; i++)
		for (j = 0; have[i].event && j < p->n && !done[i]; j++)
			if (!covered[j] && strcmp(have[i].event, p->v[j].dev->event) == 0) {
				covered[j] = done[i] = true;
				if (event_node(have[i].dev) && input_stable_path(p->v[j].dev))
					rewrite(p, vm, have, i, &p->v[j]);
			}
	for (i = 0; i < nhave; i++)
		for (j = 0; !done[i] && event_node(have[i].dev) && j < p->n; j++)
			if (!covered[j]) {
				covered[j] = done[i] = true;
				stale_element(p, vm, inv, &have[i]);
				rewrite(p, vm, have, i, &p->v[j]);
			}
	p->add = xcalloc(p->n + 1, sizeof(*p->add));
	for (j = 0; j < p->n; j++) {
		if (covered[j])
			continue;
		p->add[p->nadd++] = &p->v[j];
		d = input_describe(p->v[j].dev);
		strlist_addf(&p->steps, "%s: add input %s", vm, d);
		strlist_addf(&p->stale, "pthook: %s: definition lacks input %s, which 'input = "
		    "%s' (line %d) names; run: pthook apply --vm %s", vm, d,
		    p->v[j].rule->m.text, p->v[j].rule->line, vm);
		if (input_stable_path(p->v[j].dev) == NULL)
			strlist_addf(&p->warnings, "pthook: %s: warning: %s has no link in "
			    "/dev/input/by-id or by-path: the definition names /dev/input/%s, "
			    "which the next boot may give another device", vm, d, p->v[j].dev->event);
		free(d);
	}
	free(covered);
	free(done);
}

void
input_plan_free(struct input_plan *p)
{
	free(p->v);
	free(p->add);
	free(p->rewrite);
	strlist_free(&p->steps);
	strlist_free(&p->errors);
	strlist_free(&p->stale);
	strlist_free(&p->warnings);
	memset(p, 0, sizeof(*p));
}

void
input_owners(const struct config *cfg, const struct input_inventory *inv,
    const struct vm_conf **owner)
{
	struct input_plan p;
	size_t i, j, k;

	memset(owner, 0, inv->n * sizeof(*owner));
	for (i = 0; i < cfg->nvms; i++) {
		if (cfg->vms[i].ninput == 0)
			continue;
		input_plan_build(cfg, cfg->vms[i].name, inv, &p);
		for (j = 0; j < p.n; j++) {
			k = (size_t)(p.v[j].dev - inv->v);
			if (owner[k] == NULL)
				owner[k] = &cfg->vms[i];
		}
		input_plan_free(&p);
	}
}
