/* Runtime state (SPEC §1, §5.2): what pthook detached for which domain,
 * and a lock that serialises hook runs.  Every record is on disk before
 * the device it names is touched, so a crash leaves enough to undo. */
#ifndef PTHOOK_STATE_H
#define PTHOOK_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "pciaddr.h"
#include "util.h"

#define STATE_DEFAULT "/run/pthook"

struct taken {
	struct pci_addr addr;
	char *driver;		/* the driver it had; NULL: unbound */
	char *override;		/* the driver_override it had; NULL: none */
	bool guest;		/* assigned to the guest (libvirt moves it), not
				 * detached by pthook: held, never given back */
	char *reset;		/* the reset_method it had ("flr,bus") before a
				 * rule's reset= changed it; NULL: unchanged */
	bool kept;		/* it did not survive the guest: release kept it
				 * on the vfio driver rather than hand it to a
				 * host driver that may crash on it */
};

/* Everything release needs besides the devices: it works from the
 * record alone, whatever became of the config since (SPEC §5.3). */
struct record_how {
	char *uri;
	char *driver;		/* what pthook bound them to */
	int detach;		/* enum detach_mode */
	int timeout;
	bool reattach;
};

struct record {
	char *vm;
	struct record_how how;	/* set by the prepare that wrote it */
	struct taken *v;
	size_t n, cap;
	struct strlist console;	/* what a console handoff did, in order, each
				 * line on record before it is done:
				 * "unit NAME", "vtcon N", "fb DRIVER DEVICE"
				 * (handoff.h) */
	struct strlist usb;	/* the USB devices pthook watch attached to the
				 * running domain, by port ("1-2.3"); gone
				 * with the domain, so release forgets them */
	bool partial;		/* NAME.state.tmp lies beside it: a write that
				 * a kill cut short.  What it held was not
				 * done yet (every step is on record before
				 * it is made), so the record stands and the
				 * next write removes it */
};

/* --state-dir, else $PTHOOK_STATE_DIR, else the default. */
const char *state_dir(const char *opt);

/* Create or check the directory (a real directory; when we are root,
 * root's and writable by nobody else: 0700 when created) and take the lock, waiting at most wait_s seconds.
 * Returns the lock fd, or -1 with error_set(). */
int state_lock(const char *dir, int wait_s);
void state_unlock(int fd);

/* Whether the domain has a record, or a half-written one: a stat, no
 * lock, no parsing. */
bool state_has(const char *dir, const char *vm);
/* 0 with r empty when the domain has no record; -1 with error_set(). */
int state_read(const char *dir, const char *vm, struct record *r);
/* Atomically replace the domain's record (none when it holds
 * nothing). */
int state_write(const char *dir, const struct record *r);
/* Every record but skip_vm's. */
int state_read_all(const char *dir, const char *skip_vm, struct record **out, size_t *n);

/* The settings of how, from the config of this prepare. */
void record_set_how(struct record *r, const char *uri, const char *driver, int detach,
    int timeout, bool reattach);
void record_add(struct record *r, const struct pci_addr *a, const char *driver,
    const char *override);
/* driver: the one it had before libvirt took it (NULL: unbound), to
 * tell at release whether it came back. */
void record_add_guest(struct record *r, const struct pci_addr *a, const char *driver);
/* Drop the entries after the first n. */
void record_truncate(struct record *r, size_t n);
/* Drop entry i. */
void record_drop(struct record *r, size_t i);
void record_free(struct record *r);

#endif
