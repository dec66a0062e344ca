#include "readiness.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

static bool
exists(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return access(path, F_OK) == 0;
}

static int
entries(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Whether a line of path holds what. */
static bool
file_has(const char *path, const char *what)
{
	char line[1024];
	bool found = false;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* vfio-pci bound or built in shows as its driver directory; else a
 * module the kernel can load (libvirt loads it on the first detach). */
static int
vfio_state(const char *sysfs)
{
	const char *mods = getenv("PTHOOK_MODULES");
	char dir[PATH_MAX - 32], path[PATH_MAX];
	struct utsname u;

	if (exists(sysfs, "bus/pci/drivers/vfio-pci"))
		return VFIO_LOADED;
	if (mods && *mods)
		snprintf(dir, sizeof(dir), "%s", mods);
	else if (uname(&u) == 0)
		snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	else
		return VFIO_NONE;
	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	if (file_has(path, "/vfio-pci.ko"))
		return VFIO_LOADED;
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	return file_has(path, "/vfio-pci.ko") ? VFIO_MODULE : VFIO_NONE;
}

void
readiness_read(const char *sysfs, const char *proc, struct readiness *r)
{
	char path[PATH_MAX], v[8];

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups", sysfs);
	r->groups = entries(path);
	r->dmar = exists(sysfs, "firmware/acpi/tables/DMAR");
	r->ivrs = exists(sysfs, "firmware/acpi/tables/IVRS");
	snprintf(path, sizeof(path), "%s/cmdline", proc);
	if (read_small(AT_FDCWD, path, r->cmdline, sizeof(r->cmdline)) < 0)
		r->cmdline[0] = '\0';
	snprintf(path, sizeof(path), "%s/interrupts", proc);
	r->remapping = file_has(path, " IR-");
	snprintf(path, sizeof(path), "%s/module/vfio_iommu_type1/parameters/"
	    "allow_unsafe_interrupts", sysfs);
	r->unsafe = read_small(AT_FDCWD, path, v, sizeof(v)) > 0 && (v[0] == 'Y' || v[0] == '1');
	r->vfio = vfio_state(sysfs);
}

const char *
readiness_arg(const struct readiness *r, const char *key)
{
	const char *p;
	size_t n = strlen(key);

	for (p = r->cmdline; (p = strstr(p, key)) != NULL; p += n)
		if (p == r->cmdline || p[-1] == ' ')
			return p;
	return NULL;
}

char *
cmdline_value(const char *proc, const char *key)
{
	struct readiness r = { 0 };
	char path[PATH_MAX];
	const char *a;

	snprintf(path, sizeof(path), "%s/cmdline", proc);
	if (read_small(AT_FDCWD, path, r.cmdline, sizeof(r.cmdline)) < 0 ||
	    (a = readiness_arg(&r, key)) == NULL)
		return NULL;
	a += strlen(key);
	return xstrndup(a, strcspn(a, " "));
}

char *
acs_override(const char *proc)
{
	return cmdline_value(proc, "pcie_acs_override=");
}
