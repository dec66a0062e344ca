#include "detach.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "nodedev.h"
#include "rebind.h"
#include "util.h"

void
mover_init(struct mover *m, const char *uri, const char *driver, enum detach_mode mode,
    int timeout, const char *proc)
{
	memset(m, 0, sizeof(*m));
	m->uri = uri;
	m->driver = driver;
	m->mode = mode;
	m->timeout = timeout;
	deadline_in(&m->end, (timeout + RUN_SLACK_S) * 1000L);
	/* During autostart libvirt answers nobody until it is done, and
	 * that includes this very start. */
	if (mode == DETACH_AUTO && nodedev_daemon_starting(proc)) {
		m->libvirt_gone = true;
		log_msg(LOG_INFO, "libvirt is starting up (autostart): detaching through sysfs");
	}
}

/* libvirt's "vfio" backend binds vfio-pci; another target driver can
 * only be reached through sysfs. */
static bool
try_libvirt(const struct mover *m)
{
	return m->mode != DETACH_SYSFS && !m->libvirt_gone && strcmp(m->driver, "vfio-pci") == 0;
}

static int
via_libvirt(struct mover *m, const char *sysfs, const struct pci_addr *a, bool detach,
    const char *want)
{
	struct deadline d;
	char *drv;
	int r;

	deadline_in(&d, m->timeout * 1000L);
	d = deadline_min(&d, &m->end);
	if ((r = nodedev_move(m->uri, a, detach, &d)) == BOUNDED_TIMEOUT)
		m->libvirt_gone = true;	/* the deadline is paid once a run */
	if (r < 0)
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

struct sysfs_move {
	const char *sysfs;
	const struct pci_addr *a;
	const char *target, *orig, *override;
	bool detach;
};

/* In the bounded child: the kernel's own mechanism. */
static int
sysfs_move(void *arg)
{
	const struct sysfs_move *s = arg;

	return s->detach ? rebind_to(s->sysfs, s->a, s->target) :
	    rebind_back(s->sysfs, s->a, s->orig, s->override);
}

static int
via_sysfs(struct mover *m, const char *sysfs, const struct pci_addr *a, bool detach,
    const char *orig, const char *override)
{
	struct sysfs_move s = { sysfs, a, m->driver, orig, override, detach };
	char as[PCI_ADDR_STRLEN];
	int r;

	pci_addr_fmt(a, as);
	r = bounded_call(&m->end, as, sysfs_move, &s);
	if ((m->stuck = r == BOUNDED_TIMEOUT))
		error_set("%s: the kernel did not finish %s it within the hook's %d s", as,
		    detach ? "unbinding" : "rebinding", m->timeout + RUN_SLACK_S);
	return r == 0 ? 0 : -1;
}

static int
move(struct mover *m, const char *sysfs, const struct pci_addr *a, bool detach,
    const char *orig, const char *override)
{
	const char *want = detach ? m->driver : orig;
	bool there = false;
	char *now;

	/* Already there (a crash before it was touched): nothing to ask
	 * libvirt.  A device that had no driver goes back to none, and one
	 * with a driver_override of its own gets it back: only sysfs can
	 * do either, libvirt would probe the native driver. */
	if (rebind_driver(sysfs, a, &now) == 0) {
		there = (now == NULL && want == NULL) || (now && want && strcmp(now, want) == 0);
		free(now);
	}
	if (try_libvirt(m) && !there && (detach || (orig && override == NULL))) {
		if (via_libvirt(m, sysfs, a, detach, want) == 0)
			/* libvirt clears driver_override itself; make sure */
			return detach ? 0 : via_sysfs(m, sysfs, a, false, orig, NULL);
		if (m->mode == DETACH_LIBVIRT)
			return -1;
		log_dev(LOG_WARNING, a, "fallback", "%s; falling back to sysfs", error_get());
	}
	return via_sysfs(m, sysfs, a, detach, orig, override);
}

int
detach_device(struct mover *m, const char *sysfs, const struct pci_addr *a)
{
	return move(m, sysfs, a, true, NULL, NULL);
}

int
reattach_device(struct mover *m, const char *sysfs, const struct pci_addr *a,
    const char *orig, const char *override)
{
	return move(m, sysfs, a, false, orig, override);
}
