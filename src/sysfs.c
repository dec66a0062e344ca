#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "pcilib.h"
#include "util.h"

struct slot {
	char prefix[PCI_ADDR_STRLEN];	/* "0000:01:00", as in slots/N/address */
	char *name;
};

/* A PF's virtfnN link, seen while reading the PF. */
struct virtfn {
	struct pci_addr vf;
	int n;
};

struct scan {
	const char *sysfs;
	const struct scan_focus *focus;
	struct slot *slots;
	size_t nslots, slotcap;
	struct virtfn *vfs;
	size_t nvfs, vfcap;
};

/* A root the tests move: opt, else $var, else the real one. */
static const char *
root_of(const char *opt, const char *var, const char *real)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv(var);
	return env && *env ? env : real;
}

const char *
sysfs_root(const char *opt)
{
	return root_of(opt, "PTHOOK_SYSFS", "/sys");
}

const char *
proc_root(const char *opt)
{
	return root_of(opt, "PTHOOK_PROC", "/proc");
}

const char *
dev_root(void)
{
	return root_of(NULL, "PTHOOK_DEV", "/dev");
}

static void
load_slots(struct scan *s)
{
	char path[PATH_MAX], buf[64];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/bus/pci/slots", s->sysfs);
	if ((dir = opendir(path)) == NULL)
		return;		/* no physical slots: common on desktops */
	while ((e = readdir(dir)) != NULL) {
		struct slot *sl;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/address", e->d_name);
		if (read_small(dirfd(dir), path, buf, sizeof(buf)) <= 0 ||
		    strlen(buf) >= sizeof(sl->prefix))
			continue;
		sl = PUSH(s->slots, s->nslots, s->slotcap);
		strcpy(sl->prefix, buf);
		sl->name = xstrdup(e->d_name);
	}
	closedir(dir);
}

static const char *
slot_of(const struct scan *s, const struct device *d)
{
	char prefix[PCI_ADDR_STRLEN];
	size_t i;

	snprintf(prefix, sizeof(prefix), "%04x:%02x:%02x", d->addr.domain,
	    d->addr.bus, d->addr.slot);
	for (i = 0; i < s->nslots; i++)
		if (strcmp(s->slots[i].prefix, prefix) == 0)
			return s->slots[i].name;
	return NULL;
}

/* A sysfs attribute holding a number: "0x%x" (base 16: ids, class) or
 * decimal (base 10: VF counts).  Required ones must be present. */
static int
read_num(const struct scan *s, int dfd, const struct device *d, const char *attr,
    int base, unsigned max, unsigned *out, bool required)
{
	size_t skip = base == 16 ? 2 : 0;
	char buf[64], *end;
	unsigned long v;

	if (read_small(dfd, attr, buf, sizeof(buf)) < 0) {
		if (!required && errno == ENOENT)
			return 1;
		error_set("sysfs: %s: cannot read %s (%s/bus/pci/devices/%s/%s): %s; "
		    "the device went away during the scan or the tree is damaged",
		    d->addr_str, attr, s->sysfs, d->addr_str, attr, strerror(errno));
		return -1;
	}
	errno = 0;
	v = strtoul(buf, &end, base);
	if ((skip && strncmp(buf, "0x", 2) != 0) || !isxdigit((unsigned char)buf[skip]) ||
	    *end != '\0' || errno || v > max) {
		error_set("sysfs: %s: bad %s \"%.20s\" (%s/bus/pci/devices/%s/%s); "
		    "expected %s, the tree is damaged", d->addr_str, attr, buf, s->sysfs,
		    d->addr_str, attr, skip ? "a hex number such as 0x10de" : "a number");
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Last component of a symlink, or NULL when it does not exist. */
static int
read_link_base(int dfd, const char *name, char **out)
{
	char buf[PATH_MAX], *b;
	ssize_t n;

	*out = NULL;
	n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	buf[n] = '\0';
	b = strrchr(buf, '/');
	*out = xstrdup(b ? b + 1 : buf);
	return 0;
}

static int
open_device(const struct scan *s, int devices, const char *name)
{
	int dfd = openat(devices, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		error_set("sysfs: %s: cannot open %s/bus/pci/devices/%s: %s; "
		    "the device went away during the scan, try again",
		    name, s->sysfs, name, strerror(errno));
	return dfd;
}

/* A VF's PF (physfn), a PF's VF counts and its virtfnN links.  Only
 * PFs have sriov_totalvfs: access() costs no open for the rest. */
static int
scan_sriov(struct scan *s, int dfd, struct device *d)
{
	unsigned total, num;
	char *pf, name[32];
	int n;

	if (read_link_base(dfd, "physfn", &pf) < 0)
		goto badlink;
	if (pf) {
		d->is_vf = pci_addr_parse(pf, &d->pf, NULL) == 0;
		free(pf);
	}
	if (faccessat(dfd, "sriov_totalvfs", F_OK, 0) < 0)
		return 0;
	/* SR-IOV allows 65535 VFs at most */
	if (read_num(s, dfd, d, "sriov_totalvfs", 10, 65535, &total, true) < 0 ||
	    read_num(s, dfd, d, "sriov_numvfs", 10, 65535, &num, true) < 0)
		return -1;
	d->totalvfs = (int)total;
	d->numvfs = (int)num;
	for (n = 0; n < d->numvfs; n++) {
		struct virtfn v = { .n = n };
		char *base;

		snprintf(name, sizeof(name), "virtfn%d", n);
		if (read_link_base(dfd, name, &base) < 0)
			goto badlink;
		if (base && pci_addr_parse(base, &v.vf, NULL) == 0)
			*PUSH(s->vfs, s->nvfs, s->vfcap) = v;
		free(base);
	}
	return 0;
badlink:
	error_set("sysfs: %s: cannot read SR-IOV links in %s/bus/pci/devices/%s: %s",
	    d->addr_str, s->sysfs, d->addr_str, strerror(errno));
	return -1;
}

/* Everything but address, vendor and device. */
static int
scan_rest(struct scan *s, int dfd, struct device *d)
{
	unsigned sv, sd, rev;
	char *group = NULL, *end;
	int r = -1;

	d->partial = false;
	if (read_num(s, dfd, d, "class", 16, 0xffffff, &d->class, true))
		goto out;
	switch (read_num(s, dfd, d, "subsystem_vendor", 16, 0xffff, &sv, false)) {
	case -1:
		goto out;
	case 0:
		if (read_num(s, dfd, d, "subsystem_device", 16, 0xffff, &sd, true))
			goto out;
		d->subvendor = sv;
		d->subdevice = sd;
		d->has_subsys = true;
	}
	switch (read_num(s, dfd, d, "revision", 16, 0xff, &rev, false)) {
	case -1:
		goto out;
	case 0:
		d->revision = (int)rev;
	}
	if (read_link_base(dfd, "driver", &d->driver) < 0 ||
	    read_link_base(dfd, "iommu_group", &group) < 0) {
		error_set("sysfs: %s: cannot read links in %s/bus/pci/devices/%s: %s",
		    d->addr_str, s->sysfs, d->addr_str, strerror(errno));
		goto out;
	}
	if (group) {
		long g = strtol(group, &end, 10);

		if (*group == '\0' || *end != '\0' || g < 0 || g > INT_MAX) {
			error_set("sysfs: %s: iommu_group points to \"%s\", not a group "
			    "number (%s/bus/pci/devices/%s/iommu_group)",
			    d->addr_str, group, s->sysfs, d->addr_str);
			goto out;
		}
		d->group = (int)g;
	}
	if (slot_of(s, d))
		d->slot = xstrdup(slot_of(s, d));
	d->bridge = dev_is_bridge(d);
	r = scan_sriov(s, dfd, d);
out:
	free(group);
	return r;
}

/* Could a decision about the focus involve this device? */
static bool
wanted(const struct scan_focus *f, const struct device *d)
{
	size_t i;

	if (f == NULL)
		return true;
	for (i = 0; i < f->naddrs; i++)
		if (pci_addr_eq(&f->addrs[i], &d->addr))
			return true;
	for (i = 0; f->vm && i < f->vm->npci; i++)
		if (match_ids(&f->vm->pci[i].m, d))
			return true;
	return false;
}

static int
scan_device(struct scan *s, int devices, const char *name, struct device *d)
{
	int dfd, r = -1;

	d->group = GROUP_NONE;
	d->revision = -1;
	d->vf_index = -1;
	d->partial = true;
	pci_addr_fmt(&d->addr, d->addr_str);
	if ((dfd = open_device(s, devices, name)) < 0)
		return -1;
	if (read_num(s, dfd, d, "vendor", 16, 0xffff, &d->vendor, true) == 0 &&
	    read_num(s, dfd, d, "device", 16, 0xffff, &d->device, true) == 0)
		r = wanted(s->focus, d) ? scan_rest(s, dfd, d) : 0;
	close(dfd);
	return r;
}

/* Group mates of what was read in full, read in full too: viability is
 * decided over whole groups.  The kernel lists them under
 * kernel/iommu_groups/N/devices. */
static int
complete_groups(struct scan *s, int devices, struct inventory *inv)
{
	int *done = NULL, dfd, r = 0;
	size_t ndone = 0, donecap = 0, i, j;
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;

	for (i = 0; r == 0 && i < inv->n; i++) {
		int g = inv->devs[i].group;

		if (inv->devs[i].partial || g == GROUP_NONE)
			continue;
		for (j = 0; j < ndone && done[j] != g; j++)
			;
		if (j < ndone)
			continue;
		*PUSH(done, ndone, donecap) = g;
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices", s->sysfs, g);
		if ((dir = opendir(path)) == NULL) {
			error_set("sysfs: %s: cannot list IOMMU group %d (%s): %s",
			    inv->devs[i].addr_str, g, path, strerror(errno));
			r = -1;
			break;
		}
		while (r == 0 && (e = readdir(dir)) != NULL) {
			struct pci_addr a;
			struct device *m;

			if (pci_addr_parse(e->d_name, &a, NULL) < 0 ||
			    (m = (struct device *)inv_find(inv, &a)) == NULL || !m->partial)
				continue;
			if ((dfd = open_device(s, devices, m->addr_str)) < 0) {
				r = -1;
				break;
			}
			r = scan_rest(s, dfd, m);
			close(dfd);
		}
		closedir(dir);
	}
	free(done);
	return r;
}

/* The VFs of the PFs read in full: their index, and read in full too,
 * since a PF is never taken while one of its VFs is in use. */
static int
complete_vfs(struct scan *s, int devices, struct inventory *inv)
{
	int dfd, r = 0;
	size_t i;

	/* reading a VF adds no virtfn links: one pass */
	for (i = 0; r == 0 && i < s->nvfs; i++) {
		struct device *v = (struct device *)inv_find(inv, &s->vfs[i].vf);

		if (v == NULL)
			continue;	/* removed while we looked */
		if (v->partial) {
			if ((dfd = open_device(s, devices, v->addr_str)) < 0)
				return -1;
			r = scan_rest(s, dfd, v);
			close(dfd);
		}
		v->vf_index = s->vfs[i].n;
	}
	s->nvfs = 0;
	return r;
}

int
inv_lookup(const char *sysfs, unsigned flags, struct inventory *inv)
{
	struct pcilib *p;
	size_t i;

	if ((p = pcilib_open(sysfs)) == NULL)
		return -1;
	for (i = 0; i < inv->n; i++) {
		struct device *d = &inv->devs[i];

		if (d->partial)
			continue;
		if ((flags & SCAN_NAMES) && d->name == NULL)
			d->name = pcilib_name(p, d->vendor, d->device);
		if ((flags & SCAN_SERIAL) && d->serial == NULL)
			d->serial = pcilib_serial(p, &d->addr);
	}
	pcilib_close(p);
	return 0;
}

int
inv_scan(const char *sysfs, unsigned flags, const struct scan_focus *focus,
    struct inventory *inv)
{
	struct scan s = { .sysfs = sysfs, .focus = focus };
	struct dirent *e;
	char path[PATH_MAX];
	DIR *dir;
	int r = -1;
	size_t i;

	memset(inv, 0, sizeof(*inv));
	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs);
	if ((dir = opendir(path)) == NULL) {
		error_set("sysfs: cannot read %s: %s; is sysfs mounted "
		    "(or is --sysfs/PTHOOK_SYSFS right)?", path, strerror(errno));
		return -1;
	}
	load_slots(&s);
	while ((e = readdir(dir)) != NULL) {
		struct pci_addr a;
		struct device *d;

		if (pci_addr_parse(e->d_name, &a, NULL) < 0)
			continue;	/* ".", "..", and nothing else in a real tree */
		d = PUSH(inv->devs, inv->n, inv->cap);
		memset(d, 0, sizeof(*d));
		d->addr = a;
		if (scan_device(&s, dirfd(dir), e->d_name, d) < 0) {
			inv_free(inv);
			goto out;
		}
	}
	inv_sort(inv);
	/* the VFs of a PF pulled in by its group are read in full too */
	if (complete_vfs(&s, dirfd(dir), inv) < 0 ||
	    (focus && (complete_groups(&s, dirfd(dir), inv) < 0 ||
	    complete_vfs(&s, dirfd(dir), inv) < 0))) {
		inv_free(inv);
		goto out;
	}
	if ((flags & (SCAN_NAMES | SCAN_SERIAL)) && inv_lookup(sysfs, flags, inv) < 0) {
		inv_free(inv);
		goto out;
	}
	r = 0;
out:
	closedir(dir);
	for (i = 0; i < s.nslots; i++)
		free(s.slots[i].name);
	free(s.slots);
	free(s.vfs);
	return r;
}
