/* Is this the libvirt hook calling? */
#ifndef PTHOOK_HOOKSHAPE_H
#define PTHOOK_HOOKSHAPE_H

#include <stdbool.h>

/* Exactly four arguments, the second a libvirt operation (SPEC §2). */
bool hook_shape(int argc, char **argv);

#endif
