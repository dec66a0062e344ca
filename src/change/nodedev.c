#include "nodedev.h"

#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "virt.h"

struct call {
	const char *uri;
	const struct pci_addr *a;
	bool detach;
};

/* In the bounded child: one libvirt call. */
static int
libvirt_move(void *arg)
{
	const struct call *c = arg;
	virNodeDevicePtr dev;
	virConnectPtr conn;
	char name[40];

	snprintf(name, sizeof(name), "pci_%04x_%02x_%02x_%x", c->a->domain, c->a->bus,
	    c->a->slot, c->a->func);
	if ((conn = virt_open(c->uri)) == NULL)
		return -1;
	if ((dev = virt.virNodeDeviceLookupByName(conn, name)) == NULL) {
		error_set("libvirt does not know %s: %s", name, virt_error());
		return -1;
	}
	if ((c->detach ? virt.virNodeDeviceDetachFlags(dev, "vfio", 0) :
	    virt.virNodeDeviceReAttach(dev)) < 0) {
		error_set("libvirt could not %s %s: %s", c->detach ? "detach" : "reattach",
		    name, virt_error());
		return -1;
	}
	return 0;
}

int
nodedev_move(const char *uri, const struct pci_addr *a, bool detach, const struct deadline *d)
{
	struct call c = { uri, a, detach };
	char as[PCI_ADDR_STRLEN], what[PCI_ADDR_STRLEN + 32];
	long s = (deadline_left_ms(d) + 500) / 1000;
	int r;

	pci_addr_fmt(a, as);
	snprintf(what, sizeof(what), "%s: libvirt", as);
	if ((r = bounded_call(d, what, libvirt_move, &c)) == BOUNDED_TIMEOUT)
		error_set("%s: libvirt (%s) did not answer within %ld s", as, uri, s);
	else if (r == BOUNDED_FAILED && strncmp(error_get(), as, strlen(as)) != 0) {
		char *m = xstrdup(error_get());

		error_set("%s: %s", as, m);
		free(m);
	}
	return r;
}

bool
nodedev_daemon_starting(const char *proc)
{
	char path[256], comm[32];
	struct dirent *e;
	bool starting = false;
	DIR *d;
	int fd;

	snprintf(path, sizeof(path), "%s/%d/task", proc, (int)getppid());
	if ((d = opendir(path)) == NULL)
		return false;
	if ((fd = dirfd(d)) >= 0)
		while (!starting && (e = readdir(d)) != NULL) {
			char rel[300];

			if (e->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof(rel), "%s/comm", e->d_name);
			starting = read_small(fd, rel, comm, sizeof(comm)) >= 0 &&
			    strcmp(comm, "daemon-init") == 0;
		}
	closedir(d);
	return starting;
}
