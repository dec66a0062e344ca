/* Domain XML: read the PCI hostdevs, rewrite them to a plan's target
 * set, leave everything else as it was (SPEC §4, rewriting rules). */
#ifndef PTHOOK_DOMXML_H
#define PTHOOK_DOMXML_H

#include <stddef.h>

#include "plan.h"

#define DOMXML_MAX (16u << 20)

struct domxml {
	void *doc;		/* xmlDocPtr; kept opaque for the core */
	char *name;
	struct hostdev *hostdevs;
	void **nodes;		/* the <hostdev> element of each */
	size_t n, cap;
};

/* Returns 0, or -1 with error_set() saying what is wrong and where. */
int domxml_parse(const char *buf, size_t len, struct domxml *d);
/* The document as text: no XML declaration, UTF-8. */
char *domxml_serialize(const struct domxml *d);
/* Make the PCI hostdev set exactly p->assign: keep the ones in it as
 * they are, drop the others, append the missing ones. */
void domxml_rewrite(struct domxml *d, const struct plan *p);
void domxml_free(struct domxml *d);

#endif
