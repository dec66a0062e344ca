/* Running another program: systemctl (the handoff's display manager,
 * check --install's pthook-watch), modprobe (pthook claim). */
#ifndef PTHOOK_COMMAND_H
#define PTHOOK_COMMAND_H

#include <stdbool.h>

/* argv[0] from PATH in a child that dies with its caller (a bounded
 * child dies with the hook).  0 when it exits 0, else -1 with
 * error_set() naming what. */
int command_run(char *const argv[], const char *what);
/* systemctl VERB [--quiet] UNIT. */
int systemctl(const char *verb, const char *unit, bool quiet);

#endif
