/* Who holds a device open, before anything takes it from its driver
 * (issue #16): an unbind waits for the driver's last reference, so a
 * display server or a CUDA job holding a GPU hangs the start, and a
 * process with an NVMe's block device open loses it.  Found through
 * the nodes the device's drivers made (each directory below the
 * function in sysfs with a DEVNAME in its uevent: DEV/dri/card0,
 * DEV/fb0, DEV/nvme0n1) and, for the nvidia driver, its /dev/nvidia*
 * nodes, against every process's open files in PROC.
 * For a display controller also the boot framebuffer (PROC/iomem:
 * BOOTFB, efifb, vesafb, simpledrm inside one of its BARs) and fbcon
 * bound to a framebuffer of it (sysfs graphics/fbN, vtconsole). */
#ifndef PTHOOK_OPENERS_H
#define PTHOOK_OPENERS_H

#include "inventory.h"
#include "util.h"

#define CONSOLE_VTS 16

/* The host's console on a display device. */
struct console_hold {
	char bootfb[64];		/* the firmware framebuffer in a BAR
					 * ("BOOTFB", "efifb"); "" none */
	unsigned long long lo, hi;	/* where */
	int bar;
	char fb[32];			/* d's framebuffer ("fb0"), its own or
					 * the firmware's in its BAR; "" none */
	unsigned long map;		/* fbN that fbcon puts consoles on */
	int vts[CONSOLE_VTS];		/* vtconsoles fbcon draws on it with:
					 * none when its map puts no console
					 * on fb */
	size_t nvts;
};

/* Whether the console is on d (a boot framebuffer claim, fbcon), and
 * where. */
bool openers_console(const char *sysfs, const char *proc, const struct device *d,
    struct console_hold *ch);

/* Whether fbcon's map has consoles on other framebuffers than ch's:
 * unbinding fbcon takes them too. */
bool openers_fbcon_elsewhere(const struct console_hold *ch);
/* The firmware framebuffers bound to their platform drivers, a line
 * "DRIVER DEVICE" each ("efi-framebuffer efi-framebuffer.0"). */
void openers_platform_fbs(const char *sysfs, struct strlist *out);
/* The vtconsoles fbcon has (only those bound to it when bound), at
 * most max of them into vts; how many. */
size_t openers_fbcon(const char *sysfs, bool bound, int *vts, size_t max);

/* fn(pid, arg) for every process in PROC but this one, until fn
 * returns true. */
void openers_each_process(const char *proc, bool (*fn)(const char *pid, void *arg),
    void *arg);

/* PROC/pid/comm into buf; false when it cannot be read. */
bool openers_comm(const char *proc, const char *pid, char *buf, size_t size);

enum { HOLD_PROCS = 1, HOLD_CONSOLE = 2 };

/* One line per holder of d, "ADDR is held by COMM (pid N) via PATH;
 * ..." (HOLD_PROCS), or by the boot framebuffer, by fbcon
 * (HOLD_CONSOLE), added to out.  Unreadable processes are skipped:
 * this only adds refusals.  Returns how many it added. */
size_t openers_of(const char *sysfs, const char *proc, const char *dev,
    const struct device *d, unsigned what, struct strlist *out);

#endif
