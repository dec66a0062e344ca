/* The hook's record of what it did.  Where journald runs, each line goes
 * to the journal with fields an administrator can filter on
 * (journalctl -t pthook PTHOOK_DOMAIN=win10 PTHOOK_ACTION=detach);
 * elsewhere to syslog (ident pthook, facility daemon). */
#ifndef PTHOOK_LOG_H
#define PTHOOK_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "pciaddr.h"
#include "util.h"

/* The domain and operation every following line is about (fields only:
 * the text names the domain itself); echo: each line on stderr too (-v). */
void log_open(const char *vm, const char *op, bool echo);
/* pthook watch: the domain of the lines that follow (NULL: none). */
void log_domain(const char *vm);
void log_msg(int prio, const char *fmt, ...) PRINTF(2, 3);
/* A line about one device: action is one word (detach, reattach, keep,
 * rollback, fallback). */
void log_dev(int prio, const struct pci_addr *a, const char *action,
    const char *fmt, ...) PRINTF(4, 5);
/* The same for a device named by a string (a USB port path). */
void log_at(int prio, const char *dev, const char *action, const char *fmt, ...)
    PRINTF(4, 5);

#endif
