/* The libvirt QEMU hook: pthook DOMAIN OP SUBOP EXTRA (SPEC §5). */
#ifndef PTHOOK_HOOK_H
#define PTHOOK_HOOK_H

#include <stdbool.h>

#include "config.h"

#include "hookshape.h"
int hook_main(char **argv);
/* release end, also for `pthook release VM`. */
int hook_release(const char *vm, const struct config *cfg, const char *sysfs,
    const char *state);

#endif
