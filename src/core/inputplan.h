/* Which input devices a VM's input = rules select (issue #21): each
 * rule exactly one device its input_deny = rules leave (every one with
 * `all`), as pci = rules do; none, or several without `all`, is an
 * error naming the candidates. */
#ifndef PTHOOK_INPUTPLAN_H
#define PTHOOK_INPUTPLAN_H

#include "config.h"
#include "input.h"

struct input_pick {
	const struct input_dev *dev;
	const struct input_rule *rule;
};

struct input_plan {
	struct input_pick *v;	/* inventory order, each device once */
	size_t n, cap;
	struct strlist steps, errors;
};

void input_plan_build(const struct config *cfg, const char *vm,
    const struct input_inventory *inv, struct input_plan *p);
void input_plan_free(struct input_plan *p);
/* The VM whose rules select d (first section, first rule), or NULL. */
const struct vm_conf *input_owner(const struct config *cfg, const struct input_inventory *inv,
    const struct input_dev *d);

#endif
