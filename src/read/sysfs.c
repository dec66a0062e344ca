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
	unsigned flags;
	int devices;		/* bus/pci/devices: every read is relative */
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

const char *
hooks_root(void)
{
	return root_of(NULL, "PTHOOK_HOOKS_DIR", "/etc/libvirt/hooks");
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

/* ADDR/name, relative to bus/pci/devices: no directory is opened. */
static const char *
at(const struct device *d, const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", d->addr_str, name);
	return buf;
}

/* A sysfs attribute holding a number: "0x%x" (base 16: ids, class) or
 * decimal (base 10: VF counts).  Required ones must be present. */
static int
read_num(const struct scan *s, const struct device *d, const char *attr,
    int base, unsigned max, unsigned *out, bool required)
{
	size_t skip = base == 16 ? 2 : 0;
	char buf[64], path[PCI_ADDR_STRLEN + 32], *end;
	unsigned long v;

	if (read_small(s->devices, at(d, attr, path, sizeof(path)), buf, sizeof(buf)) < 0) {
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
read_link_base(const struct scan *s, const struct device *d, const char *name, char **out)
{
	char buf[PATH_MAX], path[PCI_ADDR_STRLEN + 32], *b;
	ssize_t n;

	*out = NULL;
	n = readlinkat(s->devices, at(d, name, path, sizeof(path)), buf, sizeof(buf) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	buf[n] = '\0';
	b = strrchr(buf, '/');
	*out = xstrdup(b ? b + 1 : buf);
	return 0;
}

/* A VF's PF (physfn), a PF's VF counts and its virtfnN links.  Only
 * PFs have sriov_totalvfs: access() costs no open for the rest. */
static int
scan_sriov(struct scan *s, struct device *d)
{
	char *pf, name[32], path[PCI_ADDR_STRLEN + 32];
	unsigned total, num;
	int n;

	if (read_link_base(s, d, "physfn", &pf) < 0)
		goto badlink;
	if (pf) {
		d->is_vf = pci_addr_parse(pf, &d->pf, NULL) == 0;
		free(pf);
	}
	if (faccessat(s->devices, at(d, "sriov_totalvfs", path, sizeof(path)), F_OK, 0) < 0)
		return 0;
	/* SR-IOV allows 65535 VFs at most */
	if (read_num(s, d, "sriov_totalvfs", 10, 65535, &total, true) < 0 ||
	    read_num(s, d, "sriov_numvfs", 10, 65535, &num, true) < 0)
		return -1;
	d->totalvfs = (int)total;
	d->numvfs = (int)num;
	for (n = 0; n < d->numvfs; n++) {
		struct virtfn v = { .n = n };
		char *base;

		snprintf(name, sizeof(name), "virtfn%d", n);
		if (read_link_base(s, d, name, &base) < 0)
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

/* Class and subsystem from their own files, where the uevent did not
 * say (an old kernel, a tree without uevent). */
static int
scan_ids(struct scan *s, struct device *d)
{
	unsigned sv, sd;

	if (read_num(s, d, "class", 16, 0xffffff, &d->class, true))
		return -1;
	switch (read_num(s, d, "subsystem_vendor", 16, 0xffff, &sv, false)) {
	case -1:
		return -1;
	case 0:
		if (read_num(s, d, "subsystem_device", 16, 0xffff, &sd, true))
			return -1;
		d->subvendor = sv;
		d->subdevice = sd;
		d->has_subsys = true;
	}
	return 0;
}

/* The iommu_group link, read for every function: whole groups are
 * read in full without listing kernel/iommu_groups. */
static int
read_group(const struct scan *s, struct device *d)
{
	char *group, *end;
	long g;

	if (read_link_base(s, d, "iommu_group", &group) < 0) {
		error_set("sysfs: %s: cannot read %s/bus/pci/devices/%s/iommu_group: %s",
		    d->addr_str, s->sysfs, d->addr_str, strerror(errno));
		return -1;
	}
	if (group == NULL)
		return 0;
	g = strtol(group, &end, 10);
	if (*group == '\0' || *end != '\0' || g < 0 || g > INT_MAX) {
		error_set("sysfs: %s: iommu_group points to \"%s\", not a group number "
		    "(%s/bus/pci/devices/%s/iommu_group)", d->addr_str, group, s->sysfs,
		    d->addr_str);
		free(group);
		return -1;
	}
	d->group = (int)g;
	free(group);
	return 0;
}

/* Everything but address, ids and group: no file at all when the
 * uevent had the ids, but the links. */
static int
scan_rest(struct scan *s, struct device *d)
{
	unsigned rev;
	int r = -1;

	d->partial = false;
	if (!d->uevent && scan_ids(s, d) < 0)
		goto out;
	if (s->flags & SCAN_REVISION) {
		switch (read_num(s, d, "revision", 16, 0xff, &rev, false)) {
		case -1:
			goto out;
		case 0:
			d->revision = (int)rev;
		}
	}
	if (read_link_base(s, d, "driver", &d->driver) < 0) {
		error_set("sysfs: %s: cannot read %s/bus/pci/devices/%s/driver: %s",
		    d->addr_str, s->sysfs, d->addr_str, strerror(errno));
		goto out;
	}
	if (slot_of(s, d))
		d->slot = xstrdup(slot_of(s, d));
	d->bridge = dev_is_bridge(d);
	r = scan_sriov(s, d);
out:
	return r;
}

/* What a rule may test that the uevent answers (ids, class, subsystem,
 * address): a rule of those ranks its candidates on the partial read,
 * and only what the plan selects is read in full (inv_complete). */
#define UEVENT_KEYS (M_VENDOR | M_DEVICE | M_SUBSYS | M_CLASS | M_ADDRESS | M_INDEX | \
	M_ALL | M_FORCE | M_IFACE | M_RESET)

/* Could a decision about the focus involve this device beyond what
 * the partial read says? */
static bool
wanted(const struct scan_focus *f, const struct device *d)
{
	size_t i;

	if (f == NULL)
		return true;
	for (i = 0; i < f->naddrs; i++)
		if (pci_addr_eq(&f->addrs[i], &d->addr))
			return true;
	for (i = 0; f->vm && i < f->vm->npci; i++) {
		const struct match *m = &f->vm->pci[i].m;

		if (match_ids(m, d) && (!d->uevent || (m->keys & ~UEVENT_KEYS)))
			return true;
	}
	return false;
}

/* "VVVV:DDDD" exactly (the kernel's %04X:%04X). */
static bool
id_pair(const char *v, unsigned *a, unsigned *b)
{
	return strlen(v) == 9 && v[4] == ':' && strspn(v, "0123456789ABCDEFabcdef") == 4 &&
	    strspn(v + 5, "0123456789ABCDEFabcdef") == 4 && sscanf(v, "%4x:%4x", a, b) == 2;
}

/* The ids as the kernel tells udev, one read for what a function's
 * first test needs (PCI_ID=10DE:1B81, PCI_CLASS=30000,
 * PCI_SUBSYS_ID=1043:85F4).  0; 1 when there is no uevent or it has no
 * PCI_ID (an old kernel, a tree without one: the single files then);
 * -1 with error_set(). */
static int
read_uevent(struct scan *s, struct device *d)
{
	char path[PCI_ADDR_STRLEN + 32], buf[1024], *line, *save = NULL, *v = NULL;
	unsigned sv, sd;
	bool id = false;

	if (read_small(s->devices, at(d, "uevent", path, sizeof(path)), buf, sizeof(buf)) < 0) {
		if (errno == ENOENT)
			return 1;
		error_set("sysfs: %s: cannot read %s/bus/pci/devices/%s/uevent: %s; the "
		    "device went away during the scan, try again", d->addr_str, s->sysfs,
		    d->addr_str, strerror(errno));
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "PCI_ID=", 7) == 0) {
			if (!id_pair(v = line + 7, &d->vendor, &d->device))
				goto bad;
			id = true;
		} else if (strncmp(line, "PCI_CLASS=", 10) == 0) {
			v = line + 10;
			if (*v == '\0' || strlen(v) > 6 || v[strspn(v, "0123456789ABCDEFabcdef")] ||
			    sscanf(v, "%x", &d->class) != 1)
				goto bad;
		} else if (strncmp(line, "PCI_SUBSYS_ID=", 14) == 0) {
			if (!id_pair(v = line + 14, &sv, &sd))
				goto bad;
			d->subvendor = sv;
			d->subdevice = sd;
			d->has_subsys = true;
		}
	}
	d->uevent = id;
	return id ? 0 : 1;
bad:
	error_set("sysfs: %s: bad uevent line \"%.40s\" (%s/bus/pci/devices/%s/uevent); "
	    "the tree is damaged", d->addr_str, line, s->sysfs, d->addr_str);
	return -1;
}

static int
scan_device(struct scan *s, struct device *d)
{
	int r;

	d->group = GROUP_NONE;
	d->revision = -1;
	d->vf_index = -1;
	d->partial = true;
	pci_addr_fmt(&d->addr, d->addr_str);
	if ((r = read_uevent(s, d)) < 0)
		return -1;
	if (r == 1) {
		d->class = 0;
		d->has_subsys = false;
		if (read_num(s, d, "vendor", 16, 0xffff, &d->vendor, true) < 0 ||
		    read_num(s, d, "device", 16, 0xffff, &d->device, true) < 0)
			return -1;
	}
	if (read_group(s, d) < 0)
		return -1;
	d->bridge = d->uevent && dev_is_bridge(d);
	return wanted(s->focus, d) ? scan_rest(s, d) : 0;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Group mates of what was read in full, read in full too: viability is
 * decided over whole groups.  Every function's group is known from its
 * link; sorted, the groups read in full are found in O(n log n). */
static int
complete_groups(struct scan *s, struct inventory *inv)
{
	size_t n = 0, i;
	int *groups = xcalloc(inv->n + 1, sizeof(*groups)), r = 0;

	for (i = 0; i < inv->n; i++)
		if (!inv->devs[i].partial && inv->devs[i].group != GROUP_NONE)
			groups[n++] = inv->devs[i].group;
	qsort(groups, n, sizeof(*groups), cmp_int);
	for (i = 0; r == 0 && n && i < inv->n; i++) {
		struct device *m = &inv->devs[i];

		if (m->partial && m->group != GROUP_NONE &&
		    bsearch(&m->group, groups, n, sizeof(*groups), cmp_int))
			r = scan_rest(s, m);
	}
	free(groups);
	return r;
}

/* The VFs of the PFs read in full: their index, and read in full too,
 * since a PF is never taken while one of its VFs is in use. */
static int
complete_vfs(struct scan *s, struct inventory *inv)
{
	int r = 0;
	size_t i;

	/* reading a VF adds no virtfn links: one pass */
	for (i = 0; r == 0 && i < s->nvfs; i++) {
		struct device *v = (struct device *)inv_find(inv, &s->vfs[i].vf);

		if (v == NULL)
			continue;	/* removed while we looked */
		if (v->partial)
			r = scan_rest(s, v);
		v->vf_index = s->vfs[i].n;
	}
	s->nvfs = 0;
	return r;
}

/* What inv_scan and inv_complete end with: the group mates of what was
 * read in full, a PF's VFs, names and serials. */
static int
complete(struct scan *s, struct inventory *inv)
{
	/* the VFs of a PF pulled in by its group are read in full too */
	if (complete_vfs(s, inv) < 0 ||
	    (s->focus && (complete_groups(s, inv) < 0 || complete_vfs(s, inv) < 0)))
		return -1;
	if (s->flags & (SCAN_NAMES | SCAN_SERIAL))
		return inv_lookup(s->sysfs, s->flags, inv);
	return 0;
}

static void
scan_free(struct scan *s)
{
	size_t i;

	for (i = 0; i < s->nslots; i++)
		free(s->slots[i].name);
	free(s->slots);
	free(s->vfs);
}

int
inv_complete(const char *sysfs, unsigned flags, const struct pci_addr *addrs, size_t n,
    struct inventory *inv)
{
	struct scan_focus any = { 0 };
	struct scan s = { .sysfs = sysfs, .flags = flags, .focus = &any };
	char path[PATH_MAX];
	struct device *d;
	size_t i;
	int r = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs);
	if ((s.devices = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_set("sysfs: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	load_slots(&s);
	for (i = 0; r == 0 && i < n; i++)
		if ((d = (struct device *)inv_find(inv, &addrs[i])) && d->partial)
			r = scan_rest(&s, d);
	if (r == 0)
		r = complete(&s, inv);
	close(s.devices);
	scan_free(&s);
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
	struct scan s = { .sysfs = sysfs, .flags = flags, .focus = focus };
	struct dirent *e;
	char path[PATH_MAX];
	DIR *dir;
	int r = -1;

	memset(inv, 0, sizeof(*inv));
	snprintf(path, sizeof(path), "%s/bus/pci/devices", sysfs);
	if ((dir = opendir(path)) == NULL) {
		error_set("sysfs: cannot read %s: %s; is sysfs mounted "
		    "(or is --sysfs/PTHOOK_SYSFS right)?", path, strerror(errno));
		return -1;
	}
	s.devices = dirfd(dir);
	load_slots(&s);
	while ((e = readdir(dir)) != NULL) {
		struct pci_addr a;
		struct device *d;

		if (pci_addr_parse(e->d_name, &a, NULL) < 0)
			continue;	/* ".", "..", and nothing else in a real tree */
		d = PUSH(inv->devs, inv->n, inv->cap);
		memset(d, 0, sizeof(*d));
		d->addr = a;
		if (scan_device(&s, d) < 0) {
			inv_free(inv);
			goto out;
		}
	}
	inv_sort(inv);
	if (complete(&s, inv) < 0) {
		inv_free(inv);
		goto out;
	}
	r = 0;
out:
	closedir(dir);
	scan_free(&s);
	return r;
}
