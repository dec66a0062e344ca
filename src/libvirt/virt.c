#include "virt.h"

#include <dlfcn.h>
#include <string.h>

#include "util.h"

#define LIBVIRT_SONAME "libvirt.so.0"

struct virt_api virt;

static void
quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static int
load(void)
{
	static void *lib;
	const char *missing = NULL;

	if (lib)
		return 0;
	if ((lib = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		error_set("cannot load %s: %s; install libvirt's client library "
		    "(Debian: apt-get install libvirt0)", LIBVIRT_SONAME, dlerror());
		return -1;
	}
#define VIRT_SYM(f) \
	if ((*(void **)&virt.f = dlsym(lib, #f)) == NULL && missing == NULL) \
		missing = #f;
	VIRT_FUNCS(VIRT_SYM)
#undef VIRT_SYM
	if (missing) {
		error_set("%s has no %s: libvirt is older than pthook needs "
		    "(1.0.5 or later)", LIBVIRT_SONAME, missing);
		dlclose(lib);
		lib = NULL;
		return -1;
	}
	return 0;
}

const char *
virt_error(void)
{
	const char *m = virt.virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

virConnectPtr
virt_open(const char *uri)
{
	virConnectPtr c;

	if (load() < 0)
		return NULL;
	virt.virSetErrorFunc(NULL, quiet);
	if ((c = virt.virConnectOpen(uri)) == NULL)
		error_set("cannot connect to libvirt at %s: %s; is the daemon running, "
		    "and are you root (or in the libvirt group)?", uri, virt_error());
	return c;
}
