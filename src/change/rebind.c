#include "rebind.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Drivers may probe asynchronously: give the new one this long. */
#define PROBE_WAIT_MS 3000

/* The last component of the link name of device as ("vfio-pci" of
 * driver, the PF's address of physfn) into out; -1 (errno) without. */
static int
link_base(const char *sysfs, const char *as, const char *name, char *out, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX], *b;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/%s", sysfs, as, name);
	if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
		return -1;
	link[n] = '\0';
	b = strrchr(link, '/');
	b = b ? b + 1 : link;
	if (strlen(b) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, b, strlen(b) + 1);
	return 0;
}

int
rebind_driver(const char *sysfs, const struct pci_addr *a, char **drv)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN], name[NAME_MAX + 1];

	*drv = NULL;
	if (link_base(sysfs, pci_addr_fmt(a, as), "driver", name, sizeof(name)) < 0) {
		if (errno != ENOENT)
			return -1;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, as);
		if (access(path, F_OK) < 0) {
			error_set("%s: the device is gone (%s)", as, path);
			return -1;
		}
		return 0;
	}
	*drv = xstrdup(name);
	return 0;
}

static bool
same_driver(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Poll until the device's driver is want (NULL: unbound). */
static int
wait_for(const char *sysfs, const struct pci_addr *a, const char *want)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };
	char as[PCI_ADDR_STRLEN], *drv = NULL;
	int i;

	for (i = 0; i <= PROBE_WAIT_MS / 10; i++) {
		free(drv);
		if (rebind_driver(sysfs, a, &drv) < 0)
			return -1;
		if (same_driver(drv, want)) {
			free(drv);
			return 0;
		}
		nanosleep(&nap, NULL);
	}
	error_set("%s: is on %s, not %s, after the kernel probed it",
	    pci_addr_fmt(a, as), drv ? drv : "no driver", want ? want : "no driver");
	free(drv);
	return -1;
}

static int
unbind(const char *sysfs, const struct pci_addr *a, const char *drv)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN];

	pci_addr_fmt(a, as);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/unbind", sysfs, drv);
	return write_small(path, as);
}

static int
probe(const char *sysfs, const struct pci_addr *a)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN];

	pci_addr_fmt(a, as);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", sysfs);
	return write_small(path, as);
}

static int
override(const char *sysfs, const struct pci_addr *a, const char *val)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override", sysfs,
	    pci_addr_fmt(a, as));
	return write_small(path, val);
}

int
rebind_to(const char *sysfs, const struct pci_addr *a, const char *target)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN], *drv;
	int r;

	if (rebind_driver(sysfs, a, &drv) < 0)
		return -1;
	if (same_driver(drv, target)) {
		free(drv);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", sysfs, target);
	if (access(path, F_OK) < 0) {
		free(drv);
		error_set("%s: the %s driver is not loaded; modprobe %s", pci_addr_fmt(a, as),
		    target, target);
		return -1;
	}
	r = override(sysfs, a, target);
	if (r == 0 && drv)
		r = unbind(sysfs, a, drv);
	if (r == 0)
		r = probe(sysfs, a);
	if (r == 0)
		r = wait_for(sysfs, a, target);
	free(drv);
	return r;
}

int
rebind_back(const char *sysfs, const struct pci_addr *a, const char *orig, const char *ov)
{
	char *drv, *line = NULL;
	int r;

	if (rebind_driver(sysfs, a, &drv) < 0)
		return -1;
	/* an empty line clears the override (the kernel stores "(null)") */
	if (ov)
		line = xasprintf("%s\n", ov);
	r = override(sysfs, a, line ? line : "\n");
	free(line);
	if (r == 0 && same_driver(drv, orig)) {
		free(drv);
		return 0;
	}
	if (r == 0 && drv)
		r = unbind(sysfs, a, drv);
	if (r == 0 && orig)
		r = probe(sysfs, a);
	if (r == 0)
		r = wait_for(sysfs, a, orig);
	free(drv);
	return r;
}

int
rebind_alive(const char *sysfs, const struct pci_addr *a)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN], pf[NAME_MAX + 1];
	unsigned char id[2];
	int fd;
	ssize_t n;

	if (link_base(sysfs, pci_addr_fmt(a, as), "physfn", pf, sizeof(pf)) < 0)
		snprintf(pf, sizeof(pf), "%s", as);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/config", sysfs, pf);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error_set("%s: cannot read its config space (%s): %s", as, path, strerror(errno));
		return -1;
	}
	n = pread(fd, id, sizeof(id), 0);
	close(fd);
	if (n != (ssize_t)sizeof(id)) {
		error_set("%s: cannot read its config space (%s)", as, path);
		return -1;
	}
	return !(id[0] == 0xff && id[1] == 0xff);
}

int
rebind_override(const char *sysfs, const struct pci_addr *a, char **ov)
{
	char path[PATH_MAX], as[PCI_ADDR_STRLEN], buf[128];
	int dfd, n;

	*ov = NULL;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, pci_addr_fmt(a, as));
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_set("%s: the device is gone (%s)", as, path);
		return -1;
	}
	n = read_small(dfd, "driver_override", buf, sizeof(buf));
	close(dfd);
	if (n > 0 && strcmp(buf, "(null)") != 0)
		*ov = xstrdup(buf);
	return 0;
}

char *
revive_hint(const char *as)
{
	return xasprintf("remove and rescan it (echo 1 > /sys/bus/pci/devices/%s/remove; "
	    "echo 1 > /sys/bus/pci/rescan) or reboot", as);
}
