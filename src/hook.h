/* The libvirt QEMU hook: pthook DOMAIN OP SUBOP EXTRA (SPEC §5). */
#ifndef PTHOOK_HOOK_H
#define PTHOOK_HOOK_H

#include <stdbool.h>

#include "cli.h"
#include "config.h"

#include "hookshape.h"
int hook_main(char **argv);
/* What prepare does once the domain XML is read: plan against the
 * host, refuse (policy errors; a stale x too unless live), record and
 * detach what pthook must.  live: x is a running domain's, and what it
 * lacks is what is about to be hot-plugged (p->add).  Returns an exit
 * code, having printed and logged refusals; p is the caller's to free. */
int hook_take(const char *vm, struct ctx *c, const char *sysfs, const char *state,
    const struct domxml *x, bool live, struct plan *p);
/* release end, also for `pthook release VM`. */
int hook_release(const char *vm, const struct config *cfg, const char *sysfs,
    const char *state);

#endif
