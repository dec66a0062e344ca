/* fakekernel [-s ADDR] SYSFS INV LOG: play the kernel's part of driver
 * binding on a fake sysfs tree made by fakesys, so the hook's sysfs path
 * can run end to end without root or hardware.  Every write pthook makes
 * to driver_override, drivers/NAME/{bind,unbind} and drivers_probe is
 * appended to LOG ("FILE VALUE", in order) and acted on as the kernel
 * would: unbind drops the driver link, drivers_probe binds the
 * driver_override driver or else the device's own driver from INV.
 * -s ADDR: never bind ADDR to vfio-pci (a probe that hangs), for crash
 * and rollback tests; its own driver still takes it back.
 * -f ADDR: ADDR's own driver fails to probe it (a reset left it in a
 * state the driver cannot handle); vfio-pci still takes it.  A device
 * whose config space reads ffff (dead) is refused by every driver but
 * vfio-pci and pci-stub, as a real driver's probe fails on it.
 * A write of N to a PF's sriov_numvfs while it has no VFs creates N VFs
 * as INV's SR-IOV column says (fakesys adds them to the tree), bound to
 * their driver unless sriov_drivers_autoprobe is 0.
 * Prints "ready" once it watches; runs until killed.  The real kernel
 * is exercised by the VM tier. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define MAXDEV 4096

static const char *root, *stall, *failing;
static FILE *events;
static struct { char addr[32], native[64], class[8], sub[16], vfid[16], vfdrv[64]; } devs[MAXDEV];
static char fakesys[PATH_MAX];
static int ndev, wd_bus;
static struct { int wd; char name[PATH_MAX]; } watches[MAXDEV * 2];
static int nwatch;

static void
watch(int fd, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	watches[nwatch].wd = inotify_add_watch(fd, path, IN_CLOSE_WRITE);
	if (watches[nwatch].wd < 0) {
		perror(path);
		exit(1);
	}
	snprintf(watches[nwatch++].name, PATH_MAX, "%s", rel);
}

static void
slurp(const char *rel, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static const char *
devdir(const char *addr)
{
	static char d[PATH_MAX];
	unsigned domain;

	sscanf(addr, "%x", &domain);
	snprintf(d, sizeof(d), "devices/pci%04x:00/%s", domain, addr);
	return d;
}

static int
bound(const char *addr, char *drv, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX], *b;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", root, devdir(addr));
	if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
		return 0;
	link[n] = '\0';
	b = strrchr(link, '/');
	snprintf(drv, size, "%s", b ? b + 1 : link);
	return 1;
}

/* Whether the device's config space starts with ffff (a VF's: its
 * PF's, a VF's own vendor id always reads so). */
static int
dead(const char *addr)
{
	char path[PATH_MAX], pf[PATH_MAX];
	unsigned char id[2] = { 0 };
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/physfn", root, devdir(addr));
	if ((n = readlink(path, pf, sizeof(pf) - 1)) > 0) {
		pf[n] = '\0';
		snprintf(path, sizeof(path), "%s/%s/%s/config", root, devdir(addr), pf);
	} else {
		snprintf(path, sizeof(path), "%s/%s/config", root, devdir(addr));
	}
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fread(id, 1, 2, f) != 2)
		id[0] = 0;
	fclose(f);
	return id[0] == 0xff && id[1] == 0xff;
}

/* The uevent's DRIVER= line, as the kernel's says who is bound now. */
static void
uevent_driver(const char *addr, const char *drv)
{
	char path[PATH_MAX], buf[4096], *rest;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/uevent", root, devdir(addr));
	if ((f = fopen(path, "r")) == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	rest = strncmp(buf, "DRIVER=", 7) == 0 && strchr(buf, '\n') ? strchr(buf, '\n') + 1 : buf;
	if ((f = fopen(path, "w")) == NULL)
		return;
	if (drv)
		fprintf(f, "DRIVER=%s\n", drv);
	fputs(rest, f);
	fclose(f);
}

static void
bind(const char *addr, const char *drv)
{
	char path[PATH_MAX], target[PATH_MAX], cur[64];
	int stub = strcmp(drv, "vfio-pci") == 0 || strcmp(drv, "pci-stub") == 0;

	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", root, drv);
	if (bound(addr, cur, sizeof(cur)) || access(path, F_OK) < 0 ||
	    (stall && strcmp(stall, addr) == 0 && strcmp(drv, "vfio-pci") == 0) ||
	    (!stub && ((failing && strcmp(failing, addr) == 0) || dead(addr))))
		return;
	snprintf(path, sizeof(path), "%s/%s/driver", root, devdir(addr));
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", drv);
	(void)!symlink(target, path);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/%s", root, drv, addr);
	snprintf(target, sizeof(target), "../../../../%s", devdir(addr));
	(void)!symlink(target, path);
	uevent_driver(addr, drv);
}

static void
unbind(const char *addr, const char *drv)
{
	char path[PATH_MAX], cur[64];

	if (!bound(addr, cur, sizeof(cur)) || strcmp(cur, drv) != 0)
		return;
	snprintf(path, sizeof(path), "%s/%s/driver", root, devdir(addr));
	unlink(path);
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/%s", root, drv, addr);
	unlink(path);
	uevent_driver(addr, NULL);
}

static void
probe(const char *addr)
{
	char rel[PATH_MAX], ov[64];
	int i;

	snprintf(rel, sizeof(rel), "%s/driver_override", devdir(addr));
	slurp(rel, ov, sizeof(ov));
	if (ov[0] && strcmp(ov, "(null)") != 0) {
		bind(addr, ov);
		return;
	}
	for (i = 0; i < ndev; i++)
		if (strcmp(devs[i].addr, addr) == 0 && strcmp(devs[i].native, "-") != 0)
			bind(addr, devs[i].native);
}

static int
find(const char *addr)
{
	int i;

	for (i = 0; i < ndev; i++)
		if (strcmp(devs[i].addr, addr) == 0)
			return i;
	return -1;
}

/* The first IOMMU group number from g on that the tree lacks. */
static int
free_group(int g)
{
	char path[PATH_MAX];

	for (;; g++) {
		snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d", root, g);
		if (access(path, F_OK) < 0)
			return g;
	}
}

static void
add_dev(int fd, const char *addr, const char *native)
{
	if (ndev == MAXDEV)
		return;
	snprintf(devs[ndev].addr, sizeof(devs[ndev].addr), "%s", addr);
	snprintf(devs[ndev].native, sizeof(devs[ndev].native), "%s", native);
	ndev++;
	watch(fd, devdir(addr));
}

/* VF n sits at the PF's routing ID + 0x40 + n (offset 0x40, stride 1). */
static void
make_vfs(int fd, const char *dir, int n)
{
	const char *pf = strrchr(dir, '/') + 1;
	char rel[PATH_MAX], val[16], cmd[2 * PATH_MAX], addr[32];
	unsigned dom, bus, slot, func, rid;
	int i = find(pf), k, g = -1;
	FILE *p;

	snprintf(rel, sizeof(rel), "%s/virtfn0", dir);
	snprintf(cmd, sizeof(cmd), "%s/%s", root, rel);
	if (n <= 0 || i < 0 || !devs[i].vfid[0] || access(cmd, F_OK) == 0 ||
	    sscanf(pf, "%x:%x:%x.%x", &dom, &bus, &slot, &func) != 4)
		return;
	fprintf(events, "%s/sriov_numvfs %d\n", dir, n);
	fflush(events);
	snprintf(rel, sizeof(rel), "%s/sriov_drivers_autoprobe", dir);
	slurp(rel, val, sizeof(val));
	snprintf(cmd, sizeof(cmd), "%s/%s/sriov_numvfs", root, dir);
	if ((p = fopen(cmd, "w")) != NULL) {	/* fakesys counts them up */
		fputs("0\n", p);
		fclose(p);
	}
	snprintf(cmd, sizeof(cmd), "%s - %s", fakesys, root);
	if ((p = popen(cmd, "w")) == NULL)
		return;
	rid = bus << 8 | slot << 3 | func;
	for (k = 0; k < n; k++) {
		unsigned r = rid + 0x40 + (unsigned)k;

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", dom, r >> 8, (r >> 3) & 0x1f, r & 7);
		g = free_group(g + 1);
		fprintf(p, "%s\t%s\t%s\t%s\t01\t%s\t%d\t-\tVF %d\t-\tpf=%s,vf=%d\n", addr,
		    devs[i].class, devs[i].vfid, devs[i].sub,
		    strcmp(val, "0") ? devs[i].vfdrv : "-", g, k, pf, k);
	}
	pclose(p);
	for (k = 0; k < n; k++) {
		unsigned r = rid + 0x40 + (unsigned)k;

		snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", dom, r >> 8, (r >> 3) & 0x1f, r & 7);
		add_dev(fd, addr, devs[i].vfdrv);
	}
}

static void
event(int fd, const char *dir, const char *file)
{
	char rel[PATH_MAX], val[256], drv[128];

	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	if (strcmp(file, "sriov_numvfs") == 0) {
		slurp(rel, val, sizeof(val));
		make_vfs(fd, dir, atoi(val));
		return;
	}
	if (strcmp(file, "driver_override") && strcmp(file, "bind") &&
	    strcmp(file, "unbind") && strcmp(file, "drivers_probe"))
		return;
	slurp(rel, val, sizeof(val));
	fprintf(events, "%s %s\n", rel, val);
	fflush(events);
	if (strcmp(file, "drivers_probe") == 0) {
		probe(val);
	} else if (strcmp(file, "bind") == 0 || strcmp(file, "unbind") == 0) {
		snprintf(drv, sizeof(drv), "%s", strrchr(dir, '/') + 1);
		if (file[0] == 'b')
			bind(val, drv);
		else
			unbind(val, drv);
	}
}

int
main(int argc, char **argv)
{
	char line[4096], buf[64 * 1024] __attribute__((aligned(8)));
	const char *slash;
	FILE *inv;
	int fd, i, c;

	while ((c = getopt(argc, argv, "s:f:")) != -1)
		if (c == 's')
			stall = optarg;
		else if (c == 'f')
			failing = optarg;
		else
			return 2;
	if (argc - optind != 3) {
		fprintf(stderr, "usage: fakekernel [-s ADDR] [-f ADDR] SYSFS INV LOG\n");
		return 2;
	}
	root = argv[optind];
	if ((inv = fopen(argv[optind + 1], "r")) == NULL || (events = fopen(argv[optind + 2], "a")) == NULL) {
		perror("fakekernel");
		return 1;
	}
	/* its sibling in the build's tools directory */
	slash = strrchr(argv[0], '/');
	snprintf(fakesys, sizeof(fakesys), "%.*sfakesys",
	    slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
	fd = inotify_init();
	while (fgets(line, sizeof(line), inv) && ndev < MAXDEV) {
		char *f[12], *p = line, *sr;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		while (n < 12 && (f[n] = strsep(&p, "\t")) != NULL)
			n++;
		if (n < 9)
			continue;
		add_dev(fd, f[0], f[5]);
		snprintf(devs[ndev - 1].class, sizeof(devs[0].class), "%s", f[1]);
		snprintf(devs[ndev - 1].sub, sizeof(devs[0].sub), "%s", f[3]);
		if (n > 10 && (sr = strstr(f[10], "vfid=")) != NULL)
			sscanf(sr, "vfid=%15[^,]", devs[ndev - 1].vfid);
		if (n > 10 && (sr = strstr(f[10], "vfdriver=")) != NULL)
			sscanf(sr, "vfdriver=%63[^,]", devs[ndev - 1].vfdrv);
	}
	watch(fd, "bus/pci");
	wd_bus = watches[nwatch - 1].wd;
	{
		char path[PATH_MAX];
		FILE *ls;

		/* every driver directory that exists now */
		snprintf(path, sizeof(path), "ls %s/bus/pci/drivers", root);
		if ((ls = popen(path, "r")) != NULL) {
			while (fgets(line, sizeof(line), ls)) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(path, sizeof(path), "bus/pci/drivers/%s", line);
				watch(fd, path);
			}
			pclose(ls);
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		char *p;

		if (n <= 0 && errno != EINTR)
			return 1;
		for (p = buf; n > 0 && p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			for (i = 0; i < nwatch; i++)
				if (watches[i].wd == e->wd && e->len)
					event(fd, watches[i].name, e->name);
			p += sizeof(*e) + e->len;
		}
	}
}
