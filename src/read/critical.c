#include "critical.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sysfs.h"
#include "util.h"

#define DEPTH 8		/* dm on md on partitions is plenty */

static void
add(struct criticals *c, const struct inventory *inv, const struct pci_addr *a, char *why)
{
	struct critical *e;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (pci_addr_eq(&c->v[i].addr, a))
			break;
	if (i < c->n || inv_find(inv, a) == NULL) {
		free(why);	/* the first reason is enough */
		return;
	}
	e = PUSH(c->v, c->n, c->cap);
	e->addr = *a;
	e->why = why;
	e->console = false;
}

/* The PCI function a sysfs device path hangs off: its last component
 * that is a PCI address (the endpoint, not the bridges above it). */
static bool
pci_of(const char *path, struct pci_addr *a)
{
	char *copy = xstrdup(path), *tok, *save = NULL;
	bool found = false;
	struct pci_addr t;

	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		if (pci_addr_parse(tok, &t, NULL) == 0) {
			*a = t;
			found = true;
		}
	free(copy);
	return found;
}

/* A block device and, through device-mapper or md slaves, the disks
 * under it. */
static void
block(struct criticals *c, const char *sysfs, const struct inventory *inv, dev_t dev,
    const char *why, int depth)
{
	char path[2 * PATH_MAX], real[PATH_MAX], buf[32];
	struct pci_addr a;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/dev/block/%u:%u", sysfs, major(dev), minor(dev));
	if (depth > DEPTH || realpath(path, real) == NULL)
		return;
	if (pci_of(real, &a))
		add(c, inv, &a, xstrdup(why));
	snprintf(path, sizeof(path), "%s/slaves", real);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		unsigned ma, mi;
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/slaves/%s/dev", real, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%u:%u", &ma, &mi) == 2)
			block(c, sysfs, inv, makedev(ma, mi), why, depth + 1);
		fclose(f);
	}
	closedir(d);
}

static void
mounts(struct criticals *c, const char *sysfs, const struct inventory *inv)
{
	char path[PATH_MAX], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/mountinfo", proc_root(NULL));
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		char mnt[1024], src[1024] = "", *dash, *why;
		unsigned ma, mi;
		struct stat st;

		if (sscanf(line, "%*d %*d %u:%u %*s %1023s", &ma, &mi, mnt) != 3)
			continue;
		/* btrfs and friends show an anonymous device: use the source */
		if ((dash = strstr(line, " - ")) != NULL)
			sscanf(dash + 3, "%*s %1023s", src);
		if (ma == 0 && strncmp(src, "/dev/", 5) == 0 && stat(src, &st) == 0 &&
		    S_ISBLK(st.st_mode)) {
			ma = major(st.st_rdev);
			mi = minor(st.st_rdev);
		}
		if (ma == 0)
			continue;	/* proc, tmpfs, ...: no device */
		why = xasprintf("it backs %s (mounted filesystem)", mnt);
		block(c, sysfs, inv, makedev(ma, mi), why, 0);
		free(why);
	}
	fclose(f);
}

static void
swaps(struct criticals *c, const char *sysfs, const struct inventory *inv)
{
	char path[PATH_MAX], line[1024], name[1024], *why;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/swaps", proc_root(NULL));
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%1023s", name) != 1 || name[0] != '/' || stat(name, &st) < 0)
			continue;
		why = xasprintf("it backs active swap %s", name);
		/* a swap file lives on a filesystem: its device matters */
		block(c, sysfs, inv, S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev, why, 0);
		free(why);
	}
	fclose(f);
}

/* A network interface and what it sits on (bridge ports, bond slaves,
 * VLAN parents: the lower_* links). */
static void
netdev(struct criticals *c, const char *sysfs, const struct inventory *inv,
    const char *ifname, const char *why, int depth)
{
	char path[2 * PATH_MAX], real[PATH_MAX];
	struct pci_addr a;
	struct dirent *e;
	DIR *d;

	if (depth > DEPTH)
		return;
	snprintf(path, sizeof(path), "%s/class/net/%s/device", sysfs, ifname);
	if (realpath(path, real) && pci_of(real, &a))
		add(c, inv, &a, xstrdup(why));
	snprintf(path, sizeof(path), "%s/class/net/%s", sysfs, ifname);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "lower_", 6) == 0)
			netdev(c, sysfs, inv, e->d_name + 6, why, depth + 1);
	closedir(d);
}

static void
default_routes(struct criticals *c, const char *sysfs, const struct inventory *inv)
{
	char path[PATH_MAX], line[512], ifname[64], dst[64], mask[64], *why;
	unsigned plen;
	FILE *f;

	snprintf(path, sizeof(path), "%s/net/route", proc_root(NULL));
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %63s %*s %*s %*s %*s %*s %63s", ifname, dst, mask) == 3 &&
			    strcmp(dst, "00000000") == 0 && strcmp(mask, "00000000") == 0) {
				why = xasprintf("it carries the default route (%s)", ifname);
				netdev(c, sysfs, inv, ifname, why, 0);
				free(why);
			}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/net/ipv6_route", proc_root(NULL));
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %x %*s %*s %*s %*s %*s %*s %*s %63s", dst, &plen,
			    ifname) == 3 && plen == 0 && strspn(dst, "0") == 32 &&
			    strcmp(ifname, "lo") != 0) {
				why = xasprintf("it carries the default IPv6 route (%s)", ifname);
				netdev(c, sysfs, inv, ifname, why, 0);
				free(why);
			}
		fclose(f);
	}
}

/* d when it is the boot VGA device and a host driver (console, DRM)
 * holds it.  The only entry that depends on the driver, which a
 * partial read lacks (criticals_complete). */
static void
boot_vga(struct criticals *c, const char *sysfs, const struct inventory *inv,
    const struct device *d)
{
	char path[PATH_MAX], buf[8];
	FILE *f;

	if ((d->class >> 16) != 0x03 || driver_is_viable(d->driver, NULL))
		return;
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/boot_vga", sysfs, d->addr_str);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, sizeof(buf), f) && buf[0] == '1') {
		size_t n = c->n;

		add(c, inv, &d->addr, xasprintf("it is the boot VGA device and the "
		    "host's %s driver drives the console on it", d->driver));
		if (c->n > n)
			c->v[n].console = true;
	}
	fclose(f);
}

/* A VF the host uses makes its PF critical too: the PF's driver going
 * away destroys its VFs.  The scan read the VF's physfn link wherever
 * that decides anything: a PF read in full has its VFs read in full. */
static void
pfs_of_vfs(struct criticals *c, const struct inventory *inv)
{
	size_t i, n = c->n;

	for (i = 0; i < n; i++) {
		const struct device *v = inv_find(inv, &c->v[i].addr);

		if (v && v->is_vf)
			add(c, inv, &v->pf, xasprintf("its VF %s is in use by the host (%s)",
			    v->addr_str, c->v[i].why));
	}
}

void
criticals_load(const char *sysfs, const struct inventory *inv, struct criticals *c)
{
	memset(c, 0, sizeof(*c));
	mounts(c, sysfs, inv);
	swaps(c, sysfs, inv);
	default_routes(c, sysfs, inv);
	criticals_complete(sysfs, inv, c);
}

void
criticals_complete(const char *sysfs, const struct inventory *inv, struct criticals *c)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		boot_vga(c, sysfs, inv, &inv->devs[i]);
	pfs_of_vfs(c, inv);
}

void
criticals_free(struct criticals *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].why);
	free(c->v);
	memset(c, 0, sizeof(*c));
}
