/* Helpers for the unit tests: inventories and configs from inline
 * text, so each test states its whole world in a few lines. */
#ifndef PTHOOK_TESTLIB_H
#define PTHOOK_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "inventory.h"
#include "plan.h"
#include "util.h"

/* One device a line: ADDR CLASS VVVV:DDDD SUBSYS|- DRIVER|- GROUP|- SLOT|- [SERIAL|- [NAME...]] */
static inline void
inv_from(struct inventory *inv, const char *text)
{
	char *copy = xstrdup(text), *line, *save = NULL;

	memset(inv, 0, sizeof(*inv));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char addr[32], sub[16], drv[32], grp[16], slot[16], serial[32] = "-";
		unsigned cls, v, d;
		int off = 0;
		struct device *dev;

		if (sscanf(line, " %31s %x %x:%x %15s %31s %15s %15s %31s %n", addr, &cls, &v,
		    &d, sub, drv, grp, slot, serial, &off) < 8)
			continue;
		dev = PUSH(inv->devs, inv->n, inv->cap);
		memset(dev, 0, sizeof(*dev));
		assert_int_equal(pci_addr_parse(addr, &dev->addr, NULL), 0);
		pci_addr_fmt(&dev->addr, dev->addr_str);
		dev->class = cls;
		dev->vendor = v;
		dev->device = d;
		dev->revision = -1;
		if (strcmp(sub, "-") != 0) {
			sscanf(sub, "%x:%x", &dev->subvendor, &dev->subdevice);
			dev->has_subsys = true;
		}
		dev->driver = strcmp(drv, "-") ? xstrdup(drv) : NULL;
		dev->group = strcmp(grp, "-") ? atoi(grp) : GROUP_NONE;
		dev->slot = strcmp(slot, "-") ? xstrdup(slot) : NULL;
		dev->serial = strcmp(serial, "-") ? xstrdup(serial) : NULL;
		dev->name = off && line[off] ? xstrdup(line + off) : NULL;
		dev->bridge = dev_is_bridge(dev);
	}
	free(copy);
	inv_sort(inv);
}

/* Writes text to a private temp file and loads it; returns config_load's
 * result.  The file name is left in path (caller's buffer, 64 bytes). */
static inline int
cfg_from_mem(struct config *cfg, const char *text, size_t len, char *path)
{
	static char dir[64];
	FILE *f;

	if (dir[0] == '\0') {
		strcpy(dir, "/tmp/pthook-unit.XXXXXX");
		assert_non_null(mkdtemp(dir));
	}
	snprintf(path, 64, "%s/pthook.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(text, 1, len, f);
	fclose(f);
	chmod(path, 0600);
	return config_load(path, true, cfg);
}

static inline int
cfg_from(struct config *cfg, const char *text, char *path)
{
	return cfg_from_mem(cfg, text, strlen(text), path);
}

#endif
