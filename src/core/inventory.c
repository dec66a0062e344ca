#include "inventory.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
inv_free(struct inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++) {
		struct device *d = &inv->devs[i];

		free(d->driver);
		free(d->orig_driver);
		free(d->slot);
		free(d->name);
		free(d->serial);
	}
	free(inv->devs);
	memset(inv, 0, sizeof(*inv));
}

static int
cmp_dev(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct device *)a)->addr,
	    &((const struct device *)b)->addr);
}

void
inv_sort(struct inventory *inv)
{
	if (inv->n > 1)
		qsort(inv->devs, inv->n, sizeof(*inv->devs), cmp_dev);
}

const struct device *
inv_find(const struct inventory *inv, const struct pci_addr *a)
{
	size_t lo = 0, hi = inv->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = pci_addr_cmp(a, &inv->devs[mid].addr);

		if (c == 0)
			return &inv->devs[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct device *
inv_next_vf(const struct inventory *inv, const struct device *pf, const struct device *prev)
{
	size_t i = prev ? (size_t)(prev - inv->devs) + 1 : 0;

	for (; i < inv->n; i++)
		if (inv->devs[i].is_vf && pci_addr_eq(&inv->devs[i].pf, &pf->addr))
			return &inv->devs[i];
	return NULL;
}

const struct device *
inv_vf(const struct inventory *inv, const struct device *pf, long n)
{
	const struct device *v = NULL;

	while ((v = inv_next_vf(inv, pf, v)) != NULL)
		if (v->vf_index == n)
			return v;
	return NULL;
}

bool
dev_is_bridge(const struct device *d)
{
	return (d->class >> 8) == 0x0604 ||
	    (d->driver && strcmp(d->driver, "pcieport") == 0);
}

bool
driver_is_viable(const char *driver, const char *vfio_driver)
{
	return driver == NULL || strcmp(driver, "vfio-pci") == 0 ||
	    strcmp(driver, "pci-stub") == 0 ||
	    (vfio_driver && strcmp(driver, vfio_driver) == 0);
}

const char *
dev_identity_driver(const struct device *d)
{
	return d->orig_driver ? d->orig_driver : d->driver;
}

char *
dev_describe(const struct device *d)
{
	return xasprintf("%s %04x:%04x%s%s", d->addr_str, d->vendor, d->device,
	    d->name ? " " : "", d->name ? d->name : "");
}
