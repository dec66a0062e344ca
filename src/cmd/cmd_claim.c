/* pthook claim: the boot-time claim by identity.  udev runs it for each
 * PCI function that appears (etc/60-pthook.rules), before its own
 * 80-drivers.rules loads the function's driver: every device the plan
 * of a VM with early = yes takes (the devices its rules select, and the
 * group mates it would detach or assign) that has no driver yet gets driver_override
 * set to the vfio driver and is probed, so it never meets its host
 * driver.  vfio-pci.ids= cannot tell two identical GPUs apart;
 * driverctl binds by address, which moves.
 *
 * Each run claims every such device, not only the one that appeared:
 * udev handles the boot's devices in parallel, and the event of another
 * device may load the module a twin of ours would bind to.  A device
 * already on a host driver is left alone: taking it is a start's job. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "command.h"
#include "log.h"
#include "rebind.h"
#include "util.h"

/* The vfio driver, loaded: at boot nothing may have asked for it yet. */
static int
driver_loaded(const char *sysfs, const char *driver)
{
	char path[PATH_MAX], *argv[] = { "modprobe", (char *)driver, NULL };

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", sysfs, driver);
	if (access(path, F_OK) == 0)
		return 0;
	return command_run(argv, "modprobe");
}

static int
claim(const struct ctx *c, const char *vm, const struct device *d)
{
	const char *driver = c->cfg.driver;

	if (d->driver && strcmp(d->driver, driver) == 0)
		return 0;
	if (d->driver) {
		log_dev(LOG_WARNING, &d->addr, "early", "%s: %s is on %s already: it was bound "
		    "before udev ran pthook (a built-in driver, or one in the initramfs); the "
		    "start detaches it", vm, d->addr_str, d->driver);
		return 0;
	}
	if (driver_loaded(c->sysfs, driver) < 0 || rebind_to(c->sysfs, &d->addr, driver) < 0) {
		log_dev(LOG_ERR, &d->addr, "early", "%s: cannot claim %s for %s: %s", vm,
		    d->addr_str, driver, error_get());
		return -1;
	}
	log_dev(LOG_INFO, &d->addr, "early", "%s: %s claimed for %s as it appeared", vm,
	    d->addr_str, driver);
	return 0;
}

int
cmd_claim(struct opts *o)
{
	struct ctx c;
	struct plan p;
	size_t i, j;
	int rc, failed = 0;

	if (o->nargs) {
		msg("claim takes no arguments; see pthook --help");
		return EXIT_USAGE;
	}
	log_open("-", "claim", o->verbose > 0);
	if ((rc = ctx_open(&c, o, false, 0)))
		return rc;
	for (i = 0; i < c.cfg.nvms; i++) {
		const char *vm = c.cfg.vms[i].name;

		if (!c.cfg.vms[i].early)
			continue;
		ctx_plan(&c, vm, NULL, NULL, &p);
		/* a rule that cannot be resolved claims nothing: the host
		 * driver is what the device had without pthook */
		for (j = 0; j < p.errors.n; j++)
			log_msg(LOG_WARNING, "%s (nothing claimed early for %s)", p.errors.v[j], vm);
		if (p.errors.n == 0) {
			const struct device **d = xcalloc(plan_size(&p), sizeof(*d));
			size_t n = plan_early(&p, d);

			for (j = 0; j < n; j++)
				failed += claim(&c, vm, d[j]) < 0;
			free(d);
		}
		plan_free(&p);
	}
	ctx_close(&c);
	return failed ? EXIT_HOST : EXIT_START;
}
