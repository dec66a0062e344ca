#include "log.h"

#include <stdarg.h>

void
log_open(void)
{
	openlog("pthook", LOG_PID, LOG_DAEMON);
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}
