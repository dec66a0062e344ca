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

void
input_plan_free(struct input_plan *p)
{
	free(p->v);
	strlist_free(&p->steps);
	strlist_free(&p->errors);
	memset(p, 0, sizeof(*p));
}

const struct vm_conf *
input_owner(const struct config *cfg, const struct input_inventory *inv,
    const struct input_dev *d)
{
	struct input_plan p;
	size_t i, j;
	bool mine;

	for (i = 0; i < cfg->nvms; i++) {
		if (cfg->vms[i].ninput == 0)
			continue;
		input_plan_build(cfg, cfg->vms[i].name, inv, &p);
		for (j = 0, mine = false; j < p.n && !mine; j++)
			mine = p.v[j].dev == d;
		input_plan_free(&p);
		if (mine)
			return &cfg->vms[i];
	}
	return NULL;
}
