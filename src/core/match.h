/* MATCH expressions of pci = and protect = (SPEC §3), parsed and
 * evaluated without any I/O. */
#ifndef PTHOOK_MATCH_H
#define PTHOOK_MATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "inventory.h"

enum {
	M_VENDOR = 1 << 0,
	M_DEVICE = 1 << 1,
	M_SUBSYS = 1 << 2,
	M_CLASS = 1 << 3,
	M_DRIVER = 1 << 4,
	M_SLOT = 1 << 5,
	M_SERIAL = 1 << 6,
	M_NAME = 1 << 7,
	M_ADDRESS = 1 << 8,
	M_INDEX = 1 << 9,
	M_ALL = 1 << 10,
	M_FORCE = 1 << 11,	/* may take a host-critical device */
	M_IFACE = 1 << 12,	/* added as <interface type='hostdev'> */
	M_VF = 1 << 13,		/* the criteria name a PF; the rule takes its VF */
	M_NUMVFS = 1 << 14,	/* with M_VF: VFs to create when the PF has none */
	M_RESET = 1 << 15,	/* reset_method while the VM runs */
};

/* Keys that pick among or act on what the criteria select. */
#define MATCH_SELECTORS (M_INDEX | M_ALL | M_FORCE | M_IFACE | M_VF | M_NUMVFS | M_RESET)

struct match {
	unsigned keys;
	unsigned vendor, device, subvendor, subdevice;
	unsigned class, class_digits;
	char *driver;		/* "none" matches an unbound device */
	char *slot;
	char serial[24];	/* normalised "xx-xx-xx-xx-xx-xx-xx-xx" */
	regex_t name_re;
	struct pci_addr addr;
	unsigned addr_wild;	/* PCI_WILD_* bits */
	long index;
	long vf;		/* M_VF: virtfnN of the PF the criteria select */
	long numvfs;		/* M_NUMVFS */
	char *reset;		/* M_RESET: methods, comma-separated ("bus,pm") */
	char *text;		/* as written, for messages */
};

/* Returns 0, or -1 with a reason (no file:line) in err. */
int match_parse(const char *text, struct match *m, char *err, size_t errlen);
void match_free(struct match *m);
/* Criteria only: index and all are applied by the caller over the
 * ordered candidate list.  Bridges never match. */
bool match_device(const struct match *m, const struct device *d);
/* The part of match_device() that a device's address, vendor and device
 * decide: false rules the device out before anything else is read. */
bool match_ids(const struct match *m, const struct device *d);
/* The pieces usb.c shares: "VVVV", "VVVV:DDDD" (hex), a name= regex
 * with pthook's complexity limits, and the word splitter: each blank-
 * separated word of text goes to word() as (NULL, word) or, for
 * key=value and key="value with blanks", as (key, value). */
bool match_hex4(const char *s, unsigned *out);
bool match_id_pair(const char *s, unsigned *a, unsigned *b);
int match_regcomp(regex_t *re, const char *val, char *err, size_t errlen);
typedef int match_word_fn(void *ctx, const char *key, const char *val, char *err,
    size_t errlen);
int match_words(const char *text, match_word_fn *word, void *ctx, char *err, size_t errlen);
/* err = fmt with arg; returns -1.  match_key sets key in *keys, or
 * fails when the match gave it already. */
int match_fail(char *err, size_t errlen, const char *fmt, const char *arg);
int match_key(unsigned *keys, unsigned key, const char *name, char *err, size_t errlen);
/* A rule that names a place on the bus and nothing the device is. */
bool match_is_address_only(const struct match *m);

#endif
