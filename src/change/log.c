#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

static void vemit(int prio, const char *dev, const char *action, const char *fmt,
    va_list ap) PRINTF(4, 0);

static struct {
	const char *vm, *op;
	bool echo;
	int fd;		/* journald's socket; -1: use syslog */
} lg = { .fd = -1 };

/* $PTHOOK_JOURNAL_SOCKET lets tests stand in for journald. */
static int
journal_connect(void)
{
	const char *path = getenv("PTHOOK_JOURNAL_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (path == NULL || *path == '\0')
		path = JOURNAL_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void
log_open(const char *vm, const char *op, bool echo)
{
	lg.vm = vm;
	lg.op = op;
	lg.echo = echo;
	openlog("pthook", LOG_PID, LOG_DAEMON);
	if (lg.fd < 0)
		lg.fd = journal_connect();
}

/* KEY=value, with the value on one line: the journal's simple form
 * cannot carry a newline, and none of ours needs one. */
static void
field(char **buf, const char *key, const char *value)
{
	char *t, *v;

	if (value == NULL)
		return;
	v = xstrdup(value);
	for (t = v; (t = strchr(t, '\n')) != NULL;)
		*t = ' ';
	t = xasprintf("%s%s=%s\n", *buf, key, v);
	free(v);
	free(*buf);
	*buf = t;
}

/* text may be a line written for stderr ("pthook: VM: ..."): the
 * prefix is the log's own, added once here (echo) or by the ident. */
static void
emit(int prio, const char *dev, const char *action, const char *text)
{
	char *buf, p[2] = { (char)('0' + prio), '\0' };

	if (strncmp(text, "pthook: ", 8) == 0)
		text += 8;

	if (lg.echo)
		fprintf(stderr, "pthook: %s\n", text);
	if (lg.fd < 0) {
		syslog(prio, "%s", text);
		return;
	}
	buf = xstrdup("");
	field(&buf, "MESSAGE", text);
	field(&buf, "PRIORITY", p);
	field(&buf, "SYSLOG_IDENTIFIER", "pthook");
	field(&buf, "SYSLOG_FACILITY", "3");
	field(&buf, "PTHOOK_DOMAIN", lg.vm);
	field(&buf, "PTHOOK_OP", lg.op);
	field(&buf, "PTHOOK_DEVICE", dev);
	field(&buf, "PTHOOK_ACTION", action);
	if (send(lg.fd, buf, strlen(buf), MSG_NOSIGNAL) < 0)
		syslog(prio, "%s", text);
	free(buf);
}

void
log_domain(const char *vm)
{
	lg.vm = vm;
}

void
log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(prio, NULL, NULL, fmt, ap);
	va_end(ap);
}

static void
vemit(int prio, const char *dev, const char *action, const char *fmt, va_list ap)
{
	char *text = xvasprintf(fmt, ap);

	emit(prio, dev, action, text);
	free(text);
}

void
log_at(int prio, const char *dev, const char *action, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(prio, dev, action, fmt, ap);
	va_end(ap);
}

void
log_dev(int prio, const struct pci_addr *a, const char *action, const char *fmt, ...)
{
	char as[PCI_ADDR_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	vemit(prio, pci_addr_fmt(a, as), action, fmt, ap);
	va_end(ap);
}
