/* Detaching a device to the vfio driver and giving it back, by the
 * config's `detach = auto | libvirt | sysfs` (SPEC §5.2 step 4), within
 * one deadline for the whole hook run. */
#ifndef PTHOOK_DETACH_H
#define PTHOOK_DETACH_H

#include <stdbool.h>

#include "bounded.h"
#include "config.h"
#include "pciaddr.h"

/* Extra time a run may take beyond one libvirt timeout: the sysfs
 * moves themselves. */
#define RUN_SLACK_S 5

/* How one hook run moves devices: from the config at prepare, from the
 * state record at release (which must not need the config). */
struct mover {
	const char *uri;
	const char *driver;	/* the vfio driver */
	enum detach_mode mode;
	int timeout;		/* seconds libvirt gets, once a run */
	struct deadline end;	/* the whole run's: timeout + RUN_SLACK_S */
	bool libvirt_gone;	/* it did not answer once, or its daemon is
				 * starting: sysfs for the rest of the run */
	bool stuck;		/* the last move's kernel write never returned */
};

/* The run starts now.  proc: the /proc root, to tell whether libvirt's
 * daemon is starting up. */
void mover_init(struct mover *m, const char *uri, const char *driver,
    enum detach_mode mode, int timeout, const char *proc);

/* 0, or -1 with error_set().  In auto mode a libvirt failure or timeout
 * falls back to sysfs; the fallback is logged. */
int detach_device(struct mover *m, const char *sysfs, const struct pci_addr *a);
/* Back to orig (NULL: leave it unbound) with driver_override as it was
 * (override, NULL: none). */
int reattach_device(struct mover *m, const char *sysfs, const struct pci_addr *a,
    const char *orig, const char *override);

#endif
