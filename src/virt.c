#include "virt.h"

#include <libvirt/virterror.h>
#include <string.h>

#include "util.h"

static void
quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

const char *
virt_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

virConnectPtr
virt_open(const char *uri)
{
	virConnectPtr c;

	virSetErrorFunc(NULL, quiet);
	if ((c = virConnectOpen(uri)) == NULL)
		error_set("cannot connect to libvirt at %s: %s; is the daemon running, "
		    "and are you root (or in the libvirt group)?", uri, virt_error());
	return c;
}
