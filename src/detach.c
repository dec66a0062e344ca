#include "detach.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "nodedev.h"
#include "rebind.h"
#include "util.h"

/* libvirt's "vfio" backend binds vfio-pci; another target driver can
 * only be reached through sysfs. */
static bool
try_libvirt(const struct config *cfg)
{
	return cfg->detach != DETACH_SYSFS && strcmp(cfg->driver, "vfio-pci") == 0;
}

static int
via_libvirt(const struct config *cfg, const char *sysfs, const struct pci_addr *a,
    bool detach, const char *want)
{
	char *drv;
	int r;

	if (nodedev_move(cfg->uri, a, detach, cfg->timeout) < 0)
		return -1;
	if (rebind_driver(sysfs, a, &drv) < 0)
		return -1;
	r = (drv == NULL && want == NULL) || (drv && want && strcmp(drv, want) == 0) ? 0 : -1;
	if (r < 0)
		error_set("libvirt left the device on %s, not %s", drv ? drv : "no driver",
		    want ? want : "no driver");
	free(drv);
	return r;
}

static int
move(const struct config *cfg, const char *sysfs, const struct pci_addr *a, bool detach,
    const char *orig)
{
	const char *want = detach ? cfg->driver : orig;

	/* a device that had no driver goes back to none: only sysfs can
	 * leave it unbound, libvirt would probe a driver for it */
	if (try_libvirt(cfg) && (detach || orig)) {
		if (via_libvirt(cfg, sysfs, a, detach, want) == 0)
			/* libvirt clears driver_override itself; make sure */
			return detach ? 0 : rebind_back(sysfs, a, orig);
		if (cfg->detach == DETACH_LIBVIRT)
			return -1;
		log_dev(LOG_WARNING, a, "fallback", "%s; falling back to sysfs", error_get());
	}
	return detach ? rebind_to(sysfs, a, cfg->driver) : rebind_back(sysfs, a, orig);
}

int
detach_device(const struct config *cfg, const char *sysfs, const struct pci_addr *a)
{
	return move(cfg, sysfs, a, true, NULL);
}

int
reattach_device(const struct config *cfg, const char *sysfs, const struct pci_addr *a,
    const char *orig)
{
	return move(cfg, sysfs, a, false, orig);
}
