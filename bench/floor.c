/* floor SYSFS: the least any reader of the host's PCI functions does,
 * each function's uevent read once and its iommu_group link (issue
 * #18): make bench times it beside pthook and lspci -n. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char path[4096], buf[1024];
	struct dirent *e;
	DIR *d;
	int fd;

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/bus/pci/devices", argv[1]);
	if ((d = opendir(path)) == NULL)
		return 1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/uevent", e->d_name);
		if ((fd = openat(dirfd(d), path, O_RDONLY)) >= 0) {
			(void)!read(fd, buf, sizeof(buf));
			close(fd);
		}
		snprintf(path, sizeof(path), "%s/iommu_group", e->d_name);
		(void)!readlinkat(dirfd(d), path, buf, sizeof(buf));
	}
	closedir(d);
	return 0;
}
