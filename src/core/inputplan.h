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

/* An <input type='evdev'> of the definition: its source, and the event
 * node that path leads to now (NULL: none). */
struct evdev_have {
	const char *dev;
	const char *event;
};

/* Element have gets the source of pick to (in place: its other
 * settings stay). */
struct input_rewrite {
	size_t have;
	const struct input_pick *to;
};

struct input_plan {
	struct input_pick *v;	/* inventory order, each device once */
	size_t n, cap;
	struct strlist steps, errors, warnings;
	struct strlist stale;	/* the definition's evdev elements differ
				 * from the picks: a start is refused */
	const struct input_pick **add;	/* picks the definition lacks */
	size_t nadd;
	struct input_rewrite *rewrite;
	size_t nrewrite;
};

void input_plan_build(const struct config *cfg, const char *vm,
    const struct input_inventory *inv, struct input_plan *p);
/* Against the definition's evdev elements (have): a picked device's
 * element stays, rewritten in place to its stable path when it names
 * the event node; an element whose /dev/input/eventN now leads to no
 * picked device moves in place to a picked one that has none, in
 * order; every other element stays as it is; the picks left are added.
 * An element moved to another device and a pick added make the
 * definition stale (p->stale).  Call after input_plan_build. */
void input_plan_xml(struct input_plan *p, const char *vm, const struct input_inventory *inv,
    const struct evdev_have *have, size_t nhave);
/* The path an element for pick gets: the stable one, else its event
 * node. */
char *input_source(const struct input_pick *pick);
void input_plan_free(struct input_plan *p);
/* owner[i]: the VM whose rules select inv->v[i] (the first section
 * that does), or NULL; each VM's rules resolved once. */
void input_owners(const struct config *cfg, const struct input_inventory *inv,
    const struct vm_conf **owner);

#endif
