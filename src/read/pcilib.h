/* libpci, fenced: its default error handler calls exit(), which a hook
 * must never do behind libvirt's back.  Every call here turns a libpci
 * error into a NULL return. */
#ifndef PTHOOK_PCILIB_H
#define PTHOOK_PCILIB_H

#include "pciaddr.h"

struct pcilib;

struct pcilib *pcilib_open(const char *sysfs);
void pcilib_close(struct pcilib *p);
/* "Vendor Device" from pci.ids, malloc'd; NULL when libpci fails. */
char *pcilib_name(struct pcilib *p, unsigned vendor, unsigned device);
/* The Device Serial Number capability as lspci prints it
 * ("00-11-22-33-44-55-66-77"), malloc'd; NULL when absent. */
char *pcilib_serial(struct pcilib *p, const struct pci_addr *a);

#endif
