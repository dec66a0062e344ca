/* libvirt's node device API with a hard deadline.  A hook cannot trust
 * libvirt to answer (during autostart every call from a hook hangs), and
 * a libvirt call cannot be interrupted, so it runs in a child process
 * that is killed when the deadline passes. */
#ifndef PTHOOK_NODEDEV_H
#define PTHOOK_NODEDEV_H

#include <stdbool.h>

#include "pciaddr.h"

/* virNodeDeviceDetachFlags(dev, "vfio") or virNodeDeviceReAttach(dev).
 * 0, or -1 with error_set() (also when the deadline passed). */
int nodedev_move(const char *uri, const struct pci_addr *a, bool detach, int timeout_s);

#endif
