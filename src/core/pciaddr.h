/* PCI addresses: [DDDD:]BB:SS.F.  Domains go past 0xffff (Intel VMD
 * puts its devices in domain 10000), so the domain is a full int. */
#ifndef PTHOOK_PCIADDR_H
#define PTHOOK_PCIADDR_H

#include <stdbool.h>

struct pci_addr {
	unsigned domain, bus, slot, func;
};

#define PCI_ADDR_STRLEN 20

/* Returns 0 on success.  Each field may be '*' when wild is non-NULL:
 * the wildcard fields are then set in *wild as bits 8,4,2,1
 * (domain, bus, slot, function). */
int pci_addr_parse(const char *s, struct pci_addr *a, unsigned *wild);
char *pci_addr_fmt(const struct pci_addr *a, char buf[PCI_ADDR_STRLEN]);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);
bool pci_addr_eq(const struct pci_addr *a, const struct pci_addr *b);

#define PCI_WILD_DOMAIN 8u
#define PCI_WILD_BUS 4u
#define PCI_WILD_SLOT 2u
#define PCI_WILD_FUNC 1u

#endif
