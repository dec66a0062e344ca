#include "claims.h"

#include <stdlib.h>

#include "util.h"

static void
claim(const struct ctx *c, struct claims *cl, const struct planned_list *l,
    const char *vm, bool detach)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		struct claim *k = &cl->v[l->v[i].dev - c->inv.devs];
		char *t;

		if (k->vms == NULL) {
			k->vms = xstrdup(vm);
			k->detach = detach;
			continue;
		}
		t = xasprintf("%s,%s", k->vms, vm);
		free(k->vms);
		k->vms = t;
		k->detach &= detach;
	}
}

void
claims_build(struct ctx *c, const struct holders *h, struct claims *cl, bool inputs)
{
	size_t i;

	cl->v = xcalloc(c->inv.n, sizeof(*cl->v));
	cl->nplans = c->cfg.nvms;
	cl->plans = xcalloc(cl->nplans, sizeof(*cl->plans));
	cl->inputs = inputs ? xcalloc(cl->nplans, sizeof(*cl->inputs)) : NULL;
	for (i = 0; i < cl->nplans; i++) {
		const char *vm = c->cfg.vms[i].name;

		ctx_verdict(c, vm, NULL, h, h ? holders_record(h, vm) : NULL, &cl->plans[i],
		    inputs ? &cl->inputs[i] : NULL);
		claim(c, cl, &cl->plans[i].assign, vm, false);
		claim(c, cl, &cl->plans[i].detach, vm, true);
	}
}

void
claims_free(struct claims *cl, size_t ndev)
{
	size_t i;

	for (i = 0; i < ndev; i++)
		free(cl->v[i].vms);
	for (i = 0; i < cl->nplans; i++) {
		plan_free(&cl->plans[i]);
		if (cl->inputs)
			input_plan_free(&cl->inputs[i]);
	}
	free(cl->inputs);
	free(cl->v);
	free(cl->plans);
}
