/* libvirt's node device API with a hard deadline.  A hook cannot trust
 * libvirt to answer (during autostart every call from a hook hangs), and
 * a libvirt call cannot be interrupted, so it runs as a bounded call
 * (bounded.h). */
#ifndef PTHOOK_NODEDEV_H
#define PTHOOK_NODEDEV_H

#include <stdbool.h>

#include "bounded.h"
#include "pciaddr.h"

/* virNodeDeviceDetachFlags(dev, "vfio") or virNodeDeviceReAttach(dev).
 * 0, or BOUNDED_FAILED / BOUNDED_TIMEOUT with error_set(). */
int nodedev_move(const char *uri, const struct pci_addr *a, bool detach,
    const struct deadline *d);

/* Whether the libvirt daemon that runs this hook is still starting up:
 * it accepts no client until its drivers (and autostart) are done, so
 * a call now would only wait for the deadline.  libvirt does that start
 * in a thread named "daemon-init" (remote_daemon.c) that ends with it.
 * proc: the /proc root. */
bool nodedev_daemon_starting(const char *proc);

#endif
