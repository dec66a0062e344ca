#include "heldby.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domxml.h"
#include "util.h"

static void
add(struct holders *h, const struct pci_addr *a, const char *vm)
{
	struct held *e = PUSH(h->v, h->n, h->cap);

	e->addr = *a;
	e->vm = vm;
}

/* libvirt's view: the hostdevs of every running QEMU domain.  An
 * unreadable file is skipped: this view only adds refusals. */
static void
from_libvirt(const char *dir, const char *vm, struct holders *h)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), i;
		struct domxml x;
		char *path, *buf, *name;

		if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		buf = read_file(path, DOMXML_MAX, &len);
		free(path);
		if (buf == NULL)
			continue;
		if (domxml_parse(buf, len, &x) == 0) {
			if (strcmp(x.name, vm) != 0) {
				name = xstrdup(x.name);
				*PUSH(h->names, h->nnames, h->namecap) = name;
				for (i = 0; i < x.n; i++)
					add(h, &x.hostdevs[i].addr, name);
				for (i = 0; i < x.nuses; i++)
					add(h, &x.uses[i], name);
				for (i = 0; i < x.nusb; i++)
					*PUSH(h->usb, h->nusb, h->usbcap) =
					    (struct held_usb){ x.usb[i], name };
			}
			domxml_free(&x);
		}
		free(buf);
	}
	closedir(d);
}

static const char *
run_dir(void)
{
	const char *run = getenv("PTHOOK_LIBVIRT_RUN");

	return run && *run ? run : LIBVIRT_RUN;
}

bool
domain_running(const char *vm)
{
	char *path = xasprintf("%s/%s.xml", run_dir(), vm);
	bool r = access(path, F_OK) == 0;

	free(path);
	return r;
}

int
holders_load(const char *state, const char *vm, struct holders *h)
{
	size_t i, j;

	memset(h, 0, sizeof(*h));
	if (state_read_all(state, vm, &h->recs, &h->nrecs) < 0)
		return -1;
	for (i = 0; i < h->nrecs; i++)
		for (j = 0; j < h->recs[i].n; j++)
			add(h, &h->recs[i].v[j].addr, h->recs[i].vm);
	from_libvirt(run_dir(), vm, h);
	return 0;
}

const struct record *
holders_record(const struct holders *h, const char *vm)
{
	size_t i;

	for (i = 0; i < h->nrecs; i++)
		if (strcmp(h->recs[i].vm, vm) == 0)
			return &h->recs[i];
	return NULL;
}

void
holders_free(struct holders *h)
{
	size_t i;

	for (i = 0; i < h->nrecs; i++)
		record_free(&h->recs[i]);
	for (i = 0; i < h->nnames; i++)
		free(h->names[i]);
	free(h->recs);
	free(h->names);
	free(h->usb);
	free(h->v);
	memset(h, 0, sizeof(*h));
}
