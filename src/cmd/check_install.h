/* pthook check --install (check_install.c). */
#ifndef PTHOOK_CHECK_INSTALL_H
#define PTHOOK_CHECK_INSTALL_H

#include "cli.h"

/* The findings on stderr, a summary on stdout; how many are errors. */
int check_install(const struct opts *o, const struct config *cfg);

#endif
