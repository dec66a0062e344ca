/* Units, through systemctl (the handoff's display manager, check
 * --install's pthook-watch). */
#ifndef PTHOOK_SYSTEMD_H
#define PTHOOK_SYSTEMD_H

#include <stdbool.h>

/* systemctl VERB [--quiet] UNIT from PATH, in a child that dies with
 * its caller (a bounded child dies with the hook).  0 when it exits 0,
 * else -1 with error_set(). */
int systemctl(const char *verb, const char *unit, bool quiet);

#endif
