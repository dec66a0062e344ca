#include "reset.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resetdb.h"
#include "util.h"

static void
path_of(char *path, size_t size, const char *sysfs, const struct pci_addr *a)
{
	char as[PCI_ADDR_STRLEN];

	snprintf(path, size, "%s/bus/pci/devices/%s/reset_method", sysfs, pci_addr_fmt(a, as));
}

/* The kernel's form is blank-separated; commas keep a state line one word. */
static void
swap(char *s, char from, char to)
{
	for (; *s; s++)
		if (*s == from)
			*s = to;
}

int
reset_get(const char *sysfs, const struct pci_addr *a, char **out)
{
	char path[PATH_MAX], buf[128];
	char as[PCI_ADDR_STRLEN];
	FILE *f;

	path_of(path, sizeof(path), sysfs, a);
	if ((f = fopen(path, "re")) == NULL || fgets(buf, sizeof(buf), f) == NULL) {
		error_set("%s: cannot read %s: %s; reset= needs kernel 5.15 or later and a "
		    "device with a reset method", pci_addr_fmt(a, as), path,
		    f ? "empty" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	str_trim(buf);
	swap(buf, ' ', ',');
	*out = xstrdup(buf);
	return 0;
}

int
reset_set(const char *sysfs, const struct pci_addr *a, const char *methods)
{
	char path[PATH_MAX], *val = xstrdup(methods), *have = NULL;
	int r;

	path_of(path, sizeof(path), sysfs, a);
	swap(val, ',', ' ');
	if ((r = write_small(path, val)) < 0) {
		char *why = xstrdup(error_get());

		if (reset_get(sysfs, a, &have) == 0)
			error_set("%s; the kernel offers %s", why, have);
		else
			error_set("%s", why);
		free(why);
		free(have);
	}
	free(val);
	return r;
}

static void
advise(const char *sysfs, struct plan *p, const struct device *d, bool vendor_reset)
{
	const struct reset_trouble *t = reset_trouble_of(d);
	char *have = NULL, *desc;

	if (t == NULL)
		return;
	desc = dev_describe(d);
	if (reset_get(sysfs, &d->addr, &have) < 0)
		have = xstrdup("nothing (no reset_method)");
	strlist_addf(&p->warnings, "pthook: %s: warning: %s (%s) has %s; vendor_reset is %s; "
	    "the kernel offers reset_method %s (source: %s)", p->vm, desc, t->family,
	    t->what, vendor_reset ? "loaded" : "not loaded", have, t->source);
	free(have);
	free(desc);
}

void
reset_advice(const char *sysfs, struct plan *p)
{
	char path[PATH_MAX];
	bool loaded;
	size_t i;

	snprintf(path, sizeof(path), "%s/module/vendor_reset", sysfs);
	loaded = access(path, F_OK) == 0;
	for (i = 0; i < p->assign.n; i++)
		advise(sysfs, p, p->assign.v[i].dev, loaded);
}
