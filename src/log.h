/* syslog (ident pthook, facility daemon: journalctl -t pthook). */
#ifndef PTHOOK_LOG_H
#define PTHOOK_LOG_H

#include <syslog.h>

#include "util.h"

void log_open(void);
void log_msg(int prio, const char *fmt, ...) PRINTF(2, 3);

#endif
