#include "pcilib.h"

#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

struct pcilib {
	struct pci_access *acc;
	char *path;
};

/* libpci calls its error hook and expects it not to return.  We jump
 * back to the guarded call instead of letting it exit(). */
static jmp_buf *guard;

static void on_error(char *fmt, ...) __attribute__((noreturn));

static void
on_error(char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	error_set("libpci: %s", buf);
	if (guard)
		longjmp(*guard, 1);
	abort();	/* unguarded libpci call: a bug in pthook */
}

static void
on_quiet(char *fmt, ...)
{
	(void)fmt;
}

struct pcilib *
pcilib_open(const char *sysfs)
{
	struct pcilib *volatile p;
	jmp_buf jb;

	p = xcalloc(1, sizeof(*p));
	p->path = xasprintf("%s/bus/pci", sysfs);
	guard = &jb;
	if (setjmp(jb)) {
		guard = NULL;
		if (p->acc)
			pci_cleanup(p->acc);
		free(p->path);
		free(p);
		return NULL;
	}
	p->acc = pci_alloc();
	p->acc->error = on_error;
	p->acc->warning = on_quiet;
	p->acc->debug = on_quiet;
	p->acc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(p->acc, "sysfs.path", p->path);
	pci_init(p->acc);
	guard = NULL;
	return p;
}

void
pcilib_close(struct pcilib *p)
{
	if (p == NULL)
		return;
	pci_cleanup(p->acc);
	free(p->path);
	free(p);
}

char *
pcilib_name(struct pcilib *p, unsigned vendor, unsigned device)
{
	char buf[512];
	const char *volatile r = NULL;
	jmp_buf jb;

	guard = &jb;
	if (setjmp(jb) == 0)
		r = pci_lookup_name(p->acc, buf, sizeof(buf),
		    PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_HWDB,
		    vendor, device);
	guard = NULL;
	return r ? xstrdup(r) : NULL;
}

char *
pcilib_serial(struct pcilib *p, const struct pci_addr *a)
{
	struct pci_dev *volatile d = NULL;
	char *volatile s = NULL;
	struct pci_cap *cap;
	jmp_buf jb;

	guard = &jb;
	if (setjmp(jb) == 0) {
		d = pci_get_dev(p->acc, (int)a->domain, (int)a->bus,
		    (int)a->slot, (int)a->func);
		cap = pci_find_cap(d, PCI_EXT_CAP_ID_DSN, PCI_CAP_EXTENDED);
		if (cap) {
			u32 lo = pci_read_long(d, cap->addr + 4);
			u32 hi = pci_read_long(d, cap->addr + 8);

			s = xasprintf("%02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x",
			    hi >> 24, (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff,
			    lo >> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff);
		}
	}
	guard = NULL;
	if (d)
		pci_free_dev(d);
	return s;
}
