/* Which configured VM claims which host device: the verdicts of every
 * [vm] section (ctx_verdict, without a definition), indexed like the
 * inventory; against what running VMs hold (h; NULL: not looked at),
 * and with their input rules judged when inputs. */
#ifndef PTHOOK_CLAIMS_H
#define PTHOOK_CLAIMS_H

#include "cli.h"
#include "heldby.h"

struct claim {
	char *vms;		/* "win10" or "win10,linux"; NULL: nobody */
	bool detach;		/* claimed only to be detached, not assigned */
};

struct claims {
	struct claim *v;	/* inv.n entries */
	struct plan *plans;	/* one per [vm] section, config order */
	struct input_plan *inputs;	/* each one's inputs, with inputs */
	size_t nplans;
};

void claims_build(struct ctx *c, const struct holders *h, struct claims *cl, bool inputs);
void claims_free(struct claims *cl, size_t ndev);

#endif
