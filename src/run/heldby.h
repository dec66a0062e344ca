/* Who holds which device right now: pthook's own state records, and
 * libvirt's status files of running domains (read as files: a hook must
 * not call domain APIs). */
#ifndef PTHOOK_HELDBY_H
#define PTHOOK_HELDBY_H

#include <stdbool.h>

#include "plan.h"
#include "state.h"
#include "usbplan.h"

#define LIBVIRT_RUN "/run/libvirt/qemu"

/* A USB hostdev of a running domain. */
struct held_usb {
	struct usb_hostdev h;
	const char *vm;
};

struct holders {
	struct held *v;
	size_t n, cap;
	struct held_usb *usb;
	size_t nusb, usbcap;
	struct record *recs;	/* the records the names point into */
	size_t nrecs;
	char **names;		/* domain names from libvirt's status files */
	size_t nnames, namecap;
};

/* Whether libvirt runs vm: it keeps a status file for each running
 * domain ($PTHOOK_LIBVIRT_RUN stands for LIBVIRT_RUN in tests). */
bool domain_running(const char *vm);

/* Everything held by domains other than vm.  -1 with error_set(). */
int holders_load(const char *state, const char *vm, struct holders *h);
/* vm's own record among those h read (holders_load with vm ""), or
 * NULL. */
const struct record *holders_record(const struct holders *h, const char *vm);
void holders_free(struct holders *h);

#endif
