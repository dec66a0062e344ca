/* hoststate SYSFS [VTCON UNITS [vfs]]: the state of a fake host tree
 * that release must give back, a line each, for the crash walk
 * (tests/crash/walk.sh): per PCI function its driver, driver_override
 * (the kernel shows a cleared one as "(null)"; the fake tree keeps what
 * was written: both print empty) and reset_method; VTCON's bind; the
 * efi-framebuffer's binding (its unbind written, and after its bind:
 * unbound); the units running (UNITS/NAME.active).  With "vfs", VFs
 * are left out (VFs pthook creates stay).  One process, not one a
 * file: a fork costs more than the whole run it checks. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
text(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	if (strcmp(buf, "(null)") == 0)
		buf[0] = '\0';
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int
main(int argc, char **argv)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX], o[256], r[256];
	struct dirent **e;
	struct stat sb, su;
	int i, n;
	ssize_t l;

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", argv[1]);
	if ((n = scandir(dir, &e, NULL, by_name)) < 0)
		return 1;
	for (i = 0; i < n; i++) {
		char *d = e[i]->d_name, *slash;

		if (d[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/physfn", dir, d);
		if (argc > 4 && strcmp(argv[4], "vfs") == 0 && access(path, F_OK) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver", dir, d);
		l = readlink(path, link, sizeof(link) - 1);
		link[l > 0 ? l : 0] = '\0';
		slash = strrchr(link, '/');
		snprintf(path, sizeof(path), "%s/%s", dir, d);
		text(path, "driver_override", o, sizeof(o));
		text(path, "reset_method", r, sizeof(r));
		printf("%s %s %s %s\n", d, l > 0 ? (slash ? slash + 1 : link) : "none", o, r);
	}
	for (i = 0; i < n; i++)
		free(e[i]);
	free(e);
	if (argc > 2 && *argv[2]) {
		text(argv[2], "bind", o, sizeof(o));
		printf("vtcon bind %s\n", o);
	}
	snprintf(path, sizeof(path), "%s/bus/platform/drivers/efi-framebuffer/unbind", argv[1]);
	snprintf(link, sizeof(link), "%s/bus/platform/drivers/efi-framebuffer/bind", argv[1]);
	/* bound until something is written to unbind, and again once bind
	 * is written after it */
	if (stat(path, &su) == 0 && stat(link, &sb) == 0)
		printf("efifb %s\n", su.st_size > 0 && (sb.st_size == 0 ||
		    su.st_mtim.tv_sec > sb.st_mtim.tv_sec || (su.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
		    su.st_mtim.tv_nsec > sb.st_mtim.tv_nsec)) ? "unbound" : "bound");
	if (argc > 3 && *argv[3] && (n = scandir(argv[3], &e, NULL, by_name)) >= 0) {
		for (i = 0; i < n; i++) {
			if (strstr(e[i]->d_name, ".active"))
				printf("unit %s\n", e[i]->d_name);
			free(e[i]);
		}
		free(e);
	}
	return 0;
}
