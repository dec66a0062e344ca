/* The sysfs reader on hostile file contents: the input is a sequence of
 * fields, each a 2-byte little-endian length and that many bytes, for
 * vendor, device, class, subsystem_vendor, subsystem_device, revision,
 * config (binary), sriov_totalvfs and sriov_numvfs (absent when empty),
 * the driver, iommu_group, physfn and virtfn0 link targets, and the
 * uevent (absent when empty: the single files are read then) of one
 * device in a fake tree.  Any content gives an inventory
 * or one error, never a crash (libpci reads the config space). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char root[64], dev[128];
static const char *const files[] = { "vendor", "device", "class", "subsystem_vendor",
	"subsystem_device", "revision", "config", "sriov_totalvfs", "sriov_numvfs" };
static const char *const links[] = { "driver", "iommu_group", "physfn", "virtfn0" };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[256];

	(void)argc;
	(void)argv;
	snprintf(root, sizeof(root), "/tmp/pthook-fuzz.XXXXXX");
	if (mkdtemp(root) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/bus", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/pci", root); mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", root); mkdir(path, 0700);
	snprintf(dev, sizeof(dev), "%s/bus/pci/devices/0000:01:00.0", root);
	mkdir(dev, 0700);
	return 0;
}

static void
put(const char *name, const uint8_t *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dev, name);
	unlink(path);
	if (n == SIZE_MAX)
		return;		/* absent */
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(p, 1, n, f);
		fclose(f);
	}
}

static void
link_to(const char *name, const uint8_t *p, size_t n)
{
	char path[256], *target = xstrndup((const char *)p, n);

	snprintf(path, sizeof(path), "%s/%s", dev, name);
	unlink(path);
	if (n)
		(void)!symlink(target, path);
	free(target);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	struct inventory inv;
	size_t f;

	for (f = 0; f < 14; f++) {
		size_t n = 0;

		if (end - p >= 2) {
			n = (size_t)(p[0] | p[1] << 8);
			p += 2;
		}
		if (n > (size_t)(end - p))
			n = (size_t)(end - p);
		if (f < 9)
			put(files[f], p, f < 7 || n ? n : SIZE_MAX);
		else if (f < 13)
			link_to(links[f - 9], p, n);
		else
			put("uevent", p, n ? n : SIZE_MAX);
		p += n;
	}
	if (inv_scan(root, SCAN_SERIAL | SCAN_REVISION, NULL, &inv) == 0)
		inv_free(&inv);
	return 0;
}
