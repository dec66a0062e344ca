/* fakesys INV DIR: build a fake sysfs tree shaped like the kernel's from
 * a host inventory (../shared/hosts/FORMAT.md; an optional 10th column
 * holds a PCIe Device Serial Number, 16 hex digits, an optional 11th
 * SR-IOV: "totalvfs=N[,vfid=VVVV:DDDD,vfdriver=DRV]" on a PF (what
 * fakekernel makes its VFs), "pf=ADDR,vf=N" on a VF).
 * INV may be "-" and DIR an existing tree: fakekernel adds the VFs a
 * write to sriov_numvfs creates that way.
 *
 *   DIR/devices/pciDDDD:00/ADDR/{vendor,device,class,...,config}
 *   DIR/bus/pci/devices/ADDR -> ../../../devices/pciDDDD:00/ADDR
 *   DIR/bus/pci/drivers/NAME/{bind,unbind,ADDR->...}, drivers_probe
 *   DIR/bus/pci/slots/NAME/address
 *   DIR/kernel/iommu_groups/N/devices/ADDR -> ...
 *   PF: sriov_totalvfs, sriov_numvfs (its VF lines), virtfnN -> ../VF
 *   VF: physfn -> ../PF
 *
 * Links are relative, as libpci needs them. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *root;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("fakesys: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
mkdirs(const char *rel)
{
	char path[4096], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			die("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", path, strerror(errno));
}

static void
put(const char *rel, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "w")) == NULL || fwrite(data, 1, len, f) != len || fclose(f))
		die("write %s: %s", path, strerror(errno));
}

static void
putf(const char *rel, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(rel, buf, (size_t)n);
}

static void
link_rel(const char *target, const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	if (symlink(target, path) < 0)
		die("symlink %s: %s", path, strerror(errno));
}

static int
get_int(const char *rel)
{
	char path[4096];
	FILE *f;
	int v = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* Lines may come in any order: a PF's sriov_numvfs counts the VF lines
 * seen, before or after its own. */
static void
sriov(const char *dir, const char *addr, const char *col)
{
	char rel[512], target[512], pf[32] = "", pfdir[256];
	unsigned domain;
	int total, n;

	if (sscanf(col, "totalvfs=%d", &total) == 1) {
		snprintf(rel, sizeof(rel), "%s/sriov_totalvfs", dir);
		putf(rel, "%d\n", total);
		snprintf(rel, sizeof(rel), "%s/sriov_numvfs", dir);
		putf(rel, "%d\n", get_int(rel));
		snprintf(rel, sizeof(rel), "%s/sriov_drivers_autoprobe", dir);
		putf(rel, "1\n");
		return;
	}
	if (sscanf(col, "pf=%31[^,],vf=%d", pf, &n) != 2 || sscanf(pf, "%x", &domain) != 1)
		die("bad SR-IOV column \"%s\" for %s", col, addr);
	snprintf(pfdir, sizeof(pfdir), "devices/pci%04x:00/%s", domain, pf);
	mkdirs(pfdir);
	snprintf(target, sizeof(target), "../%s", pf);
	snprintf(rel, sizeof(rel), "%s/physfn", dir);
	link_rel(target, rel);
	snprintf(target, sizeof(target), "../%s", addr);
	snprintf(rel, sizeof(rel), "%s/virtfn%d", pfdir, n);
	link_rel(target, rel);
	snprintf(rel, sizeof(rel), "%s/sriov_numvfs", pfdir);
	putf(rel, "%d\n", get_int(rel) + 1);
}

/* An empty file, unless it exists: fakekernel watches these for writes. */
static void
touch(const char *rel)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (access(path, F_OK) < 0)
		put(rel, "", 0);
}

static void
driver_dir(const char *drv)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s", drv);
	mkdirs(rel);
	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/bind", drv);
	touch(rel);
	snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/unbind", drv);
	touch(rel);
}

static void
config_space(const char *dir, unsigned vendor, unsigned device, unsigned class,
    int rev, int subv, int subd, const char *serial)
{
	unsigned char c[4096] = { 0 };
	size_t len = serial ? 4096 : 256;
	char rel[512];

	c[0] = vendor & 0xff; c[1] = vendor >> 8;
	c[2] = device & 0xff; c[3] = device >> 8;
	c[8] = rev < 0 ? 0 : (unsigned char)rev;
	c[9] = class & 0xff; c[10] = (class >> 8) & 0xff; c[11] = class >> 16;
	c[0x0e] = (class >> 8) == 0x0604 ? 1 : 0;
	if (subv >= 0 && c[0x0e] == 0) {
		c[0x2c] = subv & 0xff; c[0x2d] = (unsigned)subv >> 8;
		c[0x2e] = subd & 0xff; c[0x2f] = (unsigned)subd >> 8;
	}
	if (serial) {
		unsigned long long dsn = 0;
		const char *s;
		int i;

		for (s = serial; *s; s++)	/* "00-1b-21-..." as lspci prints it */
			if (*s != '-')
				dsn = dsn << 4 | (unsigned long long)strtoul((char[]){ *s, 0 }, NULL, 16);

		c[6] = 0x10;		/* status: capability list */
		c[0x34] = 0x40;
		c[0x40] = 0x10;		/* PCI Express capability, end of list */
		c[0x42] = 0x02;
		c[0x100] = 0x03;	/* extended capability: DSN, version 1 */
		c[0x102] = 0x01;
		for (i = 0; i < 8; i++)
			c[0x104 + i] = (dsn >> (8 * i)) & 0xff;
	}
	snprintf(rel, sizeof(rel), "%s/config", dir);
	put(rel, c, len);
}

static void
device(char **f, int nf)
{
	unsigned domain, bus, slot, func, class, vendor, device;
	int subv = -1, subd = -1, rev = -1, vf;
	char dir[256], rel[512], target[512], addr[32];

	if (sscanf(f[0], "%x:%x:%x.%x", &domain, &bus, &slot, &func) != 4 ||
	    sscanf(f[1], "%x", &class) != 1 || sscanf(f[2], "%x:%x", &vendor, &device) != 2)
		die("bad line for %s", f[0]);
	if (strcmp(f[3], "-") != 0 && sscanf(f[3], "%x:%x", (unsigned *)&subv,
	    (unsigned *)&subd) != 2)
		die("bad subsystem for %s", f[0]);
	if (strcmp(f[4], "-") != 0)
		rev = (int)strtol(f[4], NULL, 16);
	snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", domain, bus, slot, func);
	snprintf(dir, sizeof(dir), "devices/pci%04x:00/%s", domain, addr);
	mkdirs(dir);
	snprintf(rel, sizeof(rel), "%s/vendor", dir); putf(rel, "0x%04x\n", vendor);
	snprintf(rel, sizeof(rel), "%s/device", dir); putf(rel, "0x%04x\n", device);
	snprintf(rel, sizeof(rel), "%s/class", dir); putf(rel, "0x%06x\n", class);
	if (subv >= 0) {
		snprintf(rel, sizeof(rel), "%s/subsystem_vendor", dir); putf(rel, "0x%04x\n", subv);
		snprintf(rel, sizeof(rel), "%s/subsystem_device", dir); putf(rel, "0x%04x\n", subd);
	}
	if (rev >= 0) {
		snprintf(rel, sizeof(rel), "%s/revision", dir); putf(rel, "0x%02x\n", rev);
	}
	snprintf(rel, sizeof(rel), "%s/driver_override", dir); putf(rel, "(null)\n");
	if ((class >> 8) == 0x0300) {
		snprintf(rel, sizeof(rel), "%s/boot_vga", dir); putf(rel, "0\n");
	}
	/* as the kernel's pci_uevent() words it (fakekernel keeps DRIVER
	 * current); no PCI_SUBSYS_ID where the tree has no subsystem files */
	snprintf(rel, sizeof(rel), "%s/uevent", dir);
	if (subv >= 0)
		putf(rel, "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
		    "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n",
		    strcmp(f[5], "-") ? "DRIVER=" : "", strcmp(f[5], "-") ? f[5] : "",
		    strcmp(f[5], "-") ? "\n" : "", class, vendor, device, (unsigned)subv,
		    (unsigned)subd, addr, vendor, device, (unsigned)subv, (unsigned)subd,
		    class >> 16, (class >> 8) & 0xff, class & 0xff);
	else
		putf(rel, "%s%s%sPCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SLOT_NAME=%s\n",
		    strcmp(f[5], "-") ? "DRIVER=" : "", strcmp(f[5], "-") ? f[5] : "",
		    strcmp(f[5], "-") ? "\n" : "", class, vendor, device, addr);
	/* a VF's own Vendor and Device ID registers read FFFFh (PCIe);
	 * the kernel's vendor and device files say what the PF says */
	vf = nf > 10 && strncmp(f[10], "pf=", 3) == 0;
	config_space(dir, vf ? 0xffff : vendor, vf ? 0xffff : device, class, rev, subv, subd,
	    nf > 9 && strcmp(f[9], "-") != 0 ? f[9] : NULL);
	if (nf > 10 && strcmp(f[10], "-") != 0)
		sriov(dir, addr, f[10]);

	snprintf(target, sizeof(target), "../../../%s", dir);
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", addr);
	link_rel(target, rel);
	if (strcmp(f[5], "-") != 0) {
		driver_dir(f[5]);
		snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", f[5]);
		snprintf(rel, sizeof(rel), "%s/driver", dir);
		link_rel(target, rel);
		snprintf(target, sizeof(target), "../../../../%s", dir);
		snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/%s", f[5], addr);
		link_rel(target, rel);
	}
	if (strcmp(f[6], "-") != 0) {
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%s/devices", f[6]);
		mkdirs(rel);
		snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%s", f[6]);
		snprintf(rel, sizeof(rel), "%s/iommu_group", dir);
		link_rel(target, rel);
		snprintf(target, sizeof(target), "../../../../%s", dir);
		snprintf(rel, sizeof(rel), "kernel/iommu_groups/%s/devices/%s", f[6], addr);
		link_rel(target, rel);
	}
	if (strcmp(f[7], "-") != 0) {
		snprintf(rel, sizeof(rel), "bus/pci/slots/%s", f[7]);
		mkdirs(rel);
		snprintf(rel, sizeof(rel), "bus/pci/slots/%s/address", f[7]);
		putf(rel, "%04x:%02x:%02x\n", domain, bus, slot);
	}
}

int
main(int argc, char **argv)
{
	char line[4096];
	FILE *in;

	if (argc != 3)
		die("usage: fakesys INVENTORY DIR");
	root = argv[2];
	if (mkdir(root, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %s", root, strerror(errno));
	if ((in = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin) == NULL)
		die("%s: %s", argv[1], strerror(errno));
	mkdirs("bus/pci/devices");
	mkdirs("bus/pci/slots");
	mkdirs("kernel/iommu_groups");
	touch("bus/pci/drivers_probe");
	driver_dir("vfio-pci");
	driver_dir("pci-stub");
	while (fgets(line, sizeof(line), in)) {
		char *f[16], *p = line;
		int nf = 0;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		while (nf < 16 && (f[nf] = strsep(&p, "\t")) != NULL)
			nf++;
		if (nf < 9)
			die("%s: fewer than 9 columns", line);
		device(f, nf);
	}
	return 0;
}
