/* The libvirt QEMU hook: pthook DOMAIN OP SUBOP EXTRA (SPEC §5). */
#ifndef PTHOOK_HOOK_H
#define PTHOOK_HOOK_H

#include <stdbool.h>

#include "config.h"

/* Exactly four arguments, the second a libvirt operation (SPEC §2). */
bool hook_shape(int argc, char **argv);
int hook_main(char **argv);
/* release end, also for `pthook release VM`. */
int hook_release(const char *vm, const struct config *cfg, const char *sysfs,
    const char *state);

#endif
