#include "openers.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fb.h>

#include "readiness.h"
#include "sysfs.h"

/* How deep below a PCI function its drivers put the devices that have
 * nodes: nvme/nvme0/nvme0n1/nvme0n1p1 is four down. */
#define NODE_DEPTH 4

/* The DEVNAME= of a uevent ("dri/card0", "nvme0n1"), or NULL. */
static char *
devname(char *uevent)
{
	char *line, *save = NULL;

	for (line = strtok_r(uevent, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "DEVNAME=", 8) == 0 && line[8])
			return line + 8;
	return NULL;
}

/* The nodes of what the driver made of the function in at (closed
 * here): each directory below it whose uevent names a DEVNAME, as the
 * kernel tells udev (drm/card0, graphics/fb0, nvme/nvme0/nvme0n1).
 * Another function's directory (below a bridge) is not this one's. */
static void
nodes_below(int at, int depth, const char *dev, struct strlist *nodes)
{
	char buf[1024], *name;
	struct pci_addr a;
	struct dirent *e;
	DIR *dir;
	int fd;

	if (read_small(at, "uevent", buf, sizeof(buf)) > 0 && (name = devname(buf)))
		strlist_addf(nodes, "%s/%s", dev, name);
	if (depth == 0 || (dir = fdopendir(at)) == NULL) {
		close(at);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || e->d_name[0] == '.' ||
		    pci_addr_parse(e->d_name, &a, NULL) == 0)
			continue;
		fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			nodes_below(fd, depth - 1, dev, nodes);
	}
	closedir(dir);
}

/* The device nodes that stand for d. */
static void
nodes_of(const char *sysfs, const char *proc, const char *dev, const struct device *d,
    struct strlist *nodes)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, d->addr_str);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		nodes_below(fd, NODE_DEPTH, dev, nodes);
	if (d->driver == NULL || strcmp(d->driver, "nvidia") != 0)
		return;
	/* nvidiactl and friends serve every NVIDIA GPU: held, they keep the
	 * driver from letting go of any */
	strlist_addf(nodes, "%s/nvidiactl", dev);
	strlist_addf(nodes, "%s/nvidia-modeset", dev);
	strlist_addf(nodes, "%s/nvidia-uvm", dev);
	snprintf(path, sizeof(path), "%s/driver/nvidia/gpus/%s/information", proc, d->addr_str);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Device Minor:", 13) == 0)
			strlist_addf(nodes, "%s/nvidia%d", dev, atoi(line + 13));
	fclose(f);
}

bool
openers_comm(const char *proc, const char *pid, char *buf, size_t size)
{
	char path[PATH_MAX];
	int fd, n;

	snprintf(path, sizeof(path), "%s/%s", proc, pid);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	n = read_small(fd, "comm", buf, size);
	close(fd);
	return n > 0;
}

void
openers_each_process(const char *proc, bool (*fn)(const char *pid, void *arg), void *arg)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(proc)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strspn(e->d_name, "0123456789") == strlen(e->d_name) &&
		    atoi(e->d_name) != (int)getpid() && fn(e->d_name, arg))
			break;
	closedir(d);
}

size_t
openers_fbcon(const char *sysfs, bool bound, int *vts, size_t max)
{
	char path[PATH_MAX], name[128], b[8];
	size_t n = 0;
	int fd, vt;

	for (vt = 0; n < max && vt < CONSOLE_VTS; vt++) {
		snprintf(path, sizeof(path), "%s/class/vtconsole/vtcon%d", sysfs, vt);
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (read_small(fd, "name", name, sizeof(name)) > 0 &&
		    strstr(name, "frame buffer device") &&
		    (!bound || (read_small(fd, "bind", b, sizeof(b)) > 0 && b[0] == '1')))
			vts[n++] = vt;
		close(fd);
	}
	return n;
}

/* Names /proc/iomem gives the firmware's framebuffer and the drivers
 * that run on it: while one sits in a BAR, vfio-pci cannot reserve it
 * and the guest gets a black screen, or the host hangs. */
static const char *const bootfb[] = { "BOOTFB", "efifb", "vesafb", "simpledrm",
	"simple-framebuffer" };

/* The BAR of d that [lo, hi] lies in, or -1.  sysfs resource: one line
 * "start end flags" per BAR (then the ROM and bridge windows). */
static int
bar_of(const char *sysfs, const struct device *d, unsigned long long lo,
    unsigned long long hi)
{
	unsigned long long s, e, fl;
	char path[PATH_MAX], line[128];
	int bar, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/resource", sysfs, d->addr_str);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	for (bar = 0; found < 0 && bar < 6 && fgets(line, sizeof(line), f); bar++)
		if (sscanf(line, "%llx %llx %llx", &s, &e, &fl) == 3 && e > s && lo >= s && hi <= e)
			found = bar;
	fclose(f);
	return found;
}

/* The first firmware framebuffer claim /proc/iomem shows in a BAR of d. */
static void
boot_framebuffer(const char *sysfs, const char *proc, const struct device *d,
    struct console_hold *ch)
{
	unsigned long long lo, hi;
	char path[PATH_MAX], line[256], name[64];
	size_t i;
	FILE *f;
	int bar;

	snprintf(path, sizeof(path), "%s/iomem", proc);
	if ((f = fopen(path, "re")) == NULL)
		return;
	while (ch->bootfb[0] == '\0' && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %llx-%llx : %63[^\n]", &lo, &hi, name) != 3)
			continue;
		for (i = 0; i < sizeof(bootfb) / sizeof(*bootfb); i++)
			if (strcmp(name, bootfb[i]) == 0 && (bar = bar_of(sysfs, d, lo, hi)) >= 0) {
				snprintf(ch->bootfb, sizeof(ch->bootfb), "%s", name);
				ch->lo = lo;
				ch->hi = hi;
				ch->bar = bar;
				break;
			}
	}
	fclose(f);
}

/* The platform drivers of the firmware framebuffers (efifb, vesafb,
 * simpledrm), as sysfs names them. */
static const char *const fb_drivers[] = { "efi-framebuffer", "vesa-framebuffer",
	"simple-framebuffer" };

void
openers_platform_fbs(const char *sysfs, struct strlist *out)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t i;
	DIR *d;

	for (i = 0; i < sizeof(fb_drivers) / sizeof(*fb_drivers); i++) {
		snprintf(path, sizeof(path), "%s/bus/platform/drivers/%s", sysfs, fb_drivers[i]);
		if ((d = opendir(path)) == NULL)
			continue;
		/* a bound device is a link named like efi-framebuffer.0 */
		while ((e = readdir(d)) != NULL)
			if (e->d_type == DT_LNK && strchr(e->d_name, '.') && e->d_name[0] != '.' &&
			    e->d_name[strspn(e->d_name, UNIT_NAME_CHARS)] == '\0')
				strlist_addf(out, "%s %s", fb_drivers[i], e->d_name);
		closedir(d);
	}
}

/* N of the first fbN in dir/graphics, or -1. */
static int
fb_in(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/graphics", dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while (n < 0 && (e = readdir(d)) != NULL)
		if (sscanf(e->d_name, "fb%d", &n) != 1)
			n = -1;
	closedir(d);
	return n;
}

/* The framebuffers fbcon draws consoles on, bit N for fbN: the live
 * map (FBIOGET_CON2FBMAP on DEV/fbN, console by console), else
 * fbcon=map: of the kernel command line (a digit a console, repeated),
 * else the kernel's default: every console on the first framebuffer
 * registered (the lowest fbN in class/graphics; mine where that cannot
 * be read, so that what cannot be read never lets a start pass). */
static unsigned long
fbcon_map(const char *sysfs, const char *proc, int mine)
{
	char path[PATH_MAX], *m, *p;
	struct fb_con2fbmap c2f;
	unsigned long map = 0;
	struct stat st;
	int fd, n, first = -1;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/fb%d", dev_root(), mine);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0 && fstat(fd, &st) == 0 &&
	    S_ISCHR(st.st_mode)) {
		for (c2f.console = 1; c2f.console <= 63; c2f.console++)
			if (ioctl(fd, FBIOGET_CON2FBMAP, &c2f) == 0 && c2f.framebuffer < 32)
				map |= 1ul << c2f.framebuffer;
	}
	if (fd >= 0)
		close(fd);
	if (map)
		return map;
	if ((m = cmdline_value(proc, "fbcon=map:")) != NULL) {
		for (p = m; *p >= '0' && *p <= '9'; p++)
			map |= 1ul << (*p - '0');
		free(m);
		if (map)
			return map;
	}
	snprintf(path, sizeof(path), "%s/class/graphics", sysfs);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (sscanf(e->d_name, "fb%d", &n) == 1 && (first < 0 || n < first))
				first = n;
		closedir(d);
	}
	return 1ul << (first >= 0 && first < 32 ? first : mine);
}

/* fbcon on d's framebuffer: its own (graphics/fbN), or the firmware's
 * whose memory lies in its BAR (efifb, vesafb, simpledrm: a platform
 * device).  The console keeps the driver busy, but only if fbcon's map
 * puts a console on that framebuffer. */
static void
fbcon(const char *sysfs, const char *proc, const struct device *d, struct console_hold *ch)
{
	struct strlist fbs = { 0 };
	char path[PATH_MAX];
	size_t i;
	int n;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs, d->addr_str);
	n = fb_in(path);
	if (n < 0 && ch->bootfb[0])
		openers_platform_fbs(sysfs, &fbs);
	for (i = 0; n < 0 && i < fbs.n; i++) {
		const char *dev = strchr(fbs.v[i], ' ') + 1;

		snprintf(path, sizeof(path), "%s/bus/platform/drivers/%.*s/%s", sysfs,
		    (int)(dev - 1 - fbs.v[i]), fbs.v[i], dev);
		n = fb_in(path);
	}
	strlist_free(&fbs);
	if (n < 0 || n >= 32)
		return;
	snprintf(ch->fb, sizeof(ch->fb), "fb%d", n);
	ch->map = fbcon_map(sysfs, proc, n);
	if (ch->map & (1ul << n))
		ch->nvts = openers_fbcon(sysfs, true, ch->vts, CONSOLE_VTS);
}

bool
openers_console(const char *sysfs, const char *proc, const struct device *d,
    struct console_hold *ch)
{
	memset(ch, 0, sizeof(*ch));
	if ((d->class >> 16) != 0x03)
		return false;
	boot_framebuffer(sysfs, proc, d, ch);
	fbcon(sysfs, proc, d, ch);
	return ch->bootfb[0] || ch->nvts;
}

bool
openers_fbcon_elsewhere(const struct console_hold *ch)
{
	int n;

	return sscanf(ch->fb, "fb%d", &n) == 1 && (ch->map & ~(1ul << n)) != 0;
}

static void
console_lines(const struct device *d, const struct console_hold *ch, struct strlist *out)
{
	size_t i;

	if (ch->bootfb[0])
		strlist_addf(out, "%s is held by the boot framebuffer (%s at %llx-%llx in "
		    "BAR %d); boot with video=efifb:off (or initcall_blacklist=sysfb_init "
		    "for simpledrm)", d->addr_str, ch->bootfb, ch->lo, ch->hi, ch->bar);
	for (i = 0; i < ch->nvts; i++)
		strlist_addf(out, "%s is held by fbcon, the console on %s (vtcon%d); unbind "
		    "it first: echo 0 > /sys/class/vtconsole/vtcon%d/bind%s", d->addr_str, ch->fb,
		    ch->vts[i], ch->vts[i], openers_fbcon_elsewhere(ch) ? " (fbcon's map puts "
		    "consoles on other framebuffers too, which lose them with it; or move this "
		    "one's away: con2fbmap)" : "");
}

struct holders {
	const char *proc;
	const struct device *d;
	const struct strlist *nodes;
	struct strlist *out;
};

/* One line for the process pid when it has one of the nodes open. */
static bool
holder(const char *pid, void *arg)
{
	struct holders *h = arg;
	char path[PATH_MAX], link[PATH_MAX + 300], target[PATH_MAX], comm[64];
	struct dirent *f;
	ssize_t n;
	DIR *fd;

	snprintf(path, sizeof(path), "%s/%s/fd", h->proc, pid);
	if ((fd = opendir(path)) == NULL)
		return false;
	while ((f = readdir(fd)) != NULL) {
		snprintf(link, sizeof(link), "%s/%s", path, f->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (strlist_has(h->nodes, target)) {
			if (!openers_comm(h->proc, pid, comm, sizeof(comm)))
				snprintf(comm, sizeof(comm), "?");
			strlist_addf(h->out, "%s is held by %s (pid %s) via %s; stop it first%s",
			    h->d->addr_str, comm, pid, target, (h->d->class >> 16) == 0x03 ?
			    " (a display server: systemctl stop display-manager)" : "");
			break;	/* one line a process */
		}
	}
	closedir(fd);
	return false;
}

size_t
openers_of(const char *sysfs, const char *proc, const char *dev, const struct device *d,
    unsigned what, struct strlist *out)
{
	struct strlist nodes = { 0 };
	struct holders h = { proc, d, &nodes, out };
	struct console_hold ch;
	size_t before = out->n;

	if ((what & HOLD_CONSOLE) && openers_console(sysfs, proc, d, &ch))
		console_lines(d, &ch, out);
	if (what & HOLD_PROCS)
		nodes_of(sysfs, proc, dev, d, &nodes);
	if (nodes.n)
		openers_each_process(proc, holder, &h);
	strlist_free(&nodes);
	return out->n - before;
}
