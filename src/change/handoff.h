/* The single-GPU handoff (issue #17): the host's console GPU goes to a
 * VM whose section says console = handoff, and the console comes back
 * when the VM stops.
 *
 * prepare, each step on record (state.h: console) before it is done:
 * stop the VM's units (default display-manager.service) that run; check
 * that nothing holds the GPU any more (a holder refuses the start and
 * undoes the steps so far); unbind fbcon from the vtconsoles it draws
 * on the GPU with; unbind the firmware framebuffer (efifb, vesafb,
 * simpledrm) whose memory is in the GPU's BARs.  libvirt then detaches
 * the GPU as any managed hostdev.  release, after libvirt gave the GPU
 * back to its driver: the recorded steps undone newest first (bind the
 * framebuffer, rebind the vtconsoles, start the units); a step that
 * fails is logged and the rest still run, so that the user gets a
 * console back.
 *
 * Taking the only console from a host nobody can reach otherwise is
 * refused unless the GPU's rule says force: pthook looks for sshd (a
 * process, or a socket listening on port 22) and a getty on a serial
 * line. */
#ifndef PTHOOK_HANDOFF_H
#define PTHOOK_HANDOFF_H

#include "bounded.h"
#include "openers.h"
#include "plan.h"
#include "state.h"

struct handoff {
	const struct device *gpu;
	const struct strlist *units;	/* the VM's units = */
	struct console_hold con;	/* fbcon and the boot framebuffer on it */
	struct strlist fbs;		/* "DRIVER DEVICE": the firmware
					 * framebuffer devices bound, when one
					 * sits in the GPU's BARs */
	char *no_way_in;		/* why pthook sees no other way into
					 * the host; NULL: it does */
	bool force;			/* the GPU's rule says force */
};

/* What the handoff of p's console GPU (p->console) will do. */
void handoff_find(const char *sysfs, const char *proc, const struct plan *p,
    struct handoff *h);
void handoff_free(struct handoff *h);
/* Its steps into p->steps, and the refusal (p->errors) or, with force,
 * the warning when pthook sees no other way in. */
void handoff_explain(const struct handoff *h, struct plan *p);

/* prepare's part, before anything is detached: EXIT_START, or
 * EXIT_REFUSED / EXIT_HOST having said why and undone what it did.
 * rec is written to state as each step goes on record. */
int handoff_take(const char *vm, const char *sysfs, const char *proc, const char *dev,
    const char *state, const struct handoff *h, struct record *rec,
    const struct deadline *end);
/* Undo rec's console steps after the first keep, newest first, and drop
 * from rec those undone (the caller writes it): one that cannot be
 * undone stays, and -1 says so. */
int handoff_undo(const char *vm, const char *sysfs, struct record *rec, size_t keep,
    const struct deadline *end);

#endif
