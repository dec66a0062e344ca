#include "pciaddr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One field: hex digits up to maxdigits, or '*' when allowed. */
static const char *
field(const char *s, unsigned maxval, unsigned maxdigits, unsigned *out,
    bool *wild, bool allow_wild)
{
	unsigned v = 0, n = 0;

	if (*s == '*') {
		if (!allow_wild)
			return NULL;
		*wild = true;
		*out = 0;
		return s + 1;
	}
	*wild = false;
	for (; n < maxdigits; s++, n++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		v = v * 16 + d;
	}
	if (n == 0 || v > maxval)
		return NULL;
	*out = v;
	return s;
}

int
pci_addr_parse(const char *s, struct pci_addr *a, unsigned *wild)
{
	const char *p, *colon2;
	bool w, allow = wild != NULL;
	unsigned bits = 0;

	/* Two colons mean a domain is present. */
	colon2 = strchr(s, ':');
	colon2 = colon2 ? strchr(colon2 + 1, ':') : NULL;
	p = s;
	a->domain = 0;
	if (colon2) {
		if ((p = field(p, 0xfffffu, 5, &a->domain, &w, allow)) == NULL || *p++ != ':')
			return -1;
		bits |= w ? PCI_WILD_DOMAIN : 0;
	}
	if ((p = field(p, 0xff, 2, &a->bus, &w, allow)) == NULL || *p++ != ':')
		return -1;
	bits |= w ? PCI_WILD_BUS : 0;
	if ((p = field(p, 0x1f, 2, &a->slot, &w, allow)) == NULL || *p++ != '.')
		return -1;
	bits |= w ? PCI_WILD_SLOT : 0;
	if ((p = field(p, 7, 1, &a->func, &w, allow)) == NULL || *p != '\0')
		return -1;
	bits |= w ? PCI_WILD_FUNC : 0;
	if (wild)
		*wild = bits;
	return 0;
}

char *
pci_addr_fmt(const struct pci_addr *a, char buf[PCI_ADDR_STRLEN])
{
	snprintf(buf, PCI_ADDR_STRLEN, "%04x:%02x:%02x.%x", a->domain & 0xfffffu,
	    a->bus & 0xffu, a->slot & 0x1fu, a->func & 7u);
	return buf;
}

int
pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	if (a->func != b->func)
		return a->func < b->func ? -1 : 1;
	return 0;
}

bool
pci_addr_eq(const struct pci_addr *a, const struct pci_addr *b)
{
	return pci_addr_cmp(a, b) == 0;
}
