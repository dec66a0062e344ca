/* Devices known not to come back from a reset (issue #16), as data:
 * check warns about them before a guest finds out. */
#ifndef PTHOOK_RESETDB_H
#define PTHOOK_RESETDB_H

#include "inventory.h"

struct reset_trouble {
	unsigned vendor;
	const unsigned short *devices;	/* 0-terminated */
	const char *family;		/* "AMD Polaris 11" */
	const char *what;		/* the problem and the remedy */
	const char *source;		/* where the list comes from */
};

/* The row for d, or NULL. */
const struct reset_trouble *reset_trouble_of(const struct device *d);

#endif
