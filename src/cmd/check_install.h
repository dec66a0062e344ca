/* pthook check --install (check_install.c) and --host (check_host.c). */
#ifndef PTHOOK_CHECK_INSTALL_H
#define PTHOOK_CHECK_INSTALL_H

#include "cli.h"

/* One line a finding, "WHAT: ..." on stderr, each with its fix. */
struct findings {
	const char *what;
	int errors, warnings;
};
void finding(struct findings *f, bool error, const char *fmt, ...) PRINTF(3, 4);

/* The findings on stderr, a summary on stdout; how many are errors. */
int check_install(const struct opts *o, const struct config *cfg);
/* pthook check --host (check_host.c): can this host pass devices
 * through at all, and can the devices c's config names be reset? */
int check_host(const struct opts *o, struct ctx *c);

#endif
