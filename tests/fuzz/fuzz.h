/* Shared by the fuzz targets: a small fixed host to match and plan
 * against. */
#ifndef PTHOOK_FUZZ_H
#define PTHOOK_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "util.h"

static inline void
fuzz_host(struct inventory *inv)
{
	static const struct { const char *addr; unsigned vendor, device, class; const char *drv; int group; } d[] = {
		{ "0000:00:01.0", 0x8086, 0x460d, 0x060400, "pcieport", 1 },
		{ "0000:01:00.0", 0x10de, 0x1b81, 0x030000, "nouveau", 1 },
		{ "0000:01:00.1", 0x10de, 0x10f0, 0x040300, "snd_hda_intel", 1 },
		{ "0000:03:00.0", 0x8086, 0x10d3, 0x020000, "e1000e", 5 },
		{ "0000:04:00.0", 0x8086, 0x10d3, 0x020000, NULL, 6 },
		{ "10000:e1:00.0", 0x144d, 0xa808, 0x010802, "nvme", -1 },
	};
	size_t i;

	memset(inv, 0, sizeof(*inv));
	for (i = 0; i < sizeof(d) / sizeof(*d); i++) {
		struct device *x = PUSH(inv->devs, inv->n, inv->cap);

		memset(x, 0, sizeof(*x));
		pci_addr_parse(d[i].addr, &x->addr, NULL);
		pci_addr_fmt(&x->addr, x->addr_str);
		x->vendor = d[i].vendor;
		x->device = d[i].device;
		x->class = d[i].class;
		x->driver = d[i].drv ? xstrdup(d[i].drv) : NULL;
		x->group = d[i].group;
		x->slot = i == 3 ? xstrdup("3") : NULL;
		x->name = xstrdup("Fuzz Corp Device");
		x->serial = i == 4 ? xstrdup("00-11-22-33-44-55-66-77") : NULL;
		x->subvendor = 0x1043;
		x->subdevice = (unsigned)i;
		x->has_subsys = true;
		x->revision = -1;
		x->bridge = dev_is_bridge(x);
	}
	inv_sort(inv);
}

#endif
