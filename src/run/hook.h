/* The libvirt QEMU hook: pthook DOMAIN OP SUBOP EXTRA (SPEC §5). */
#ifndef PTHOOK_HOOK_H
#define PTHOOK_HOOK_H

#include <stdbool.h>

#include "cli.h"
#include "config.h"

#include "hookshape.h"
/* cfg: the config as main.c read it; the hook takes it over. */
int hook_main(char **argv, struct config *cfg);
/* What prepare does once the domain XML is read: plan against the
 * host, refuse (policy errors; a stale x too unless live), record and
 * detach what pthook must.  live: x is a running domain's, and what it
 * lacks is what is about to be hot-plugged (p->add).  Returns an exit
 * code, having printed and logged refusals; p is the caller's to free. */
int hook_take(const char *vm, struct ctx *c, const char *sysfs, const char *state,
    const struct domxml *x, bool live, struct plan *p);
/* release end, also for `pthook release VM`: from the state record
 * alone.  timeout: the config's, for how long to wait for the lock. */
int hook_release(const char *vm, int timeout, const char *sysfs, const char *state);

#endif
