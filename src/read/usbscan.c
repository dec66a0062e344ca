#include "usbscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* "1-2.3" is a device; "usb1" a root hub, "1-2.3:1.0" an interface. */
static bool
is_device_name(const char *n)
{
	return n[0] >= '1' && n[0] <= '9' && strchr(n, '-') && !strchr(n, ':') &&
	    strlen(n) < sizeof(((struct usb_dev *)0)->port);
}

static int
attr_hex(int dfd, const char *attr, unsigned max, unsigned *out)
{
	char buf[32], *end;
	unsigned long v;

	if (read_small(dfd, attr, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtoul(buf, &end, 16);
	if (*end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
attr_dec(int dfd, const char *attr, unsigned *out)
{
	char buf[32], *end;
	unsigned long v;

	if (read_small(dfd, attr, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtoul(buf, &end, 10);
	if (*end || v > 999)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static char *
attr_str(int dfd, const char *attr)
{
	char buf[256];

	return read_small(dfd, attr, buf, sizeof(buf)) > 0 ? xstrdup(buf) : NULL;
}

/* The interfaces of the active configuration: subdirectories "PORT:C.I". */
static void
read_ifaces(int dfd, const char *port, struct usb_dev *d)
{
	size_t cap = 0, plen = strlen(port);
	struct dirent *e;
	int fd;
	DIR *dir;

	if ((fd = dup(dfd)) < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		struct usb_iface f;
		int ifd;

		if (strncmp(e->d_name, port, plen) != 0 || e->d_name[plen] != ':' ||
		    (ifd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;
		if (attr_hex(ifd, "bInterfaceClass", 0xff, &f.class) == 0 &&
		    attr_hex(ifd, "bInterfaceSubClass", 0xff, &f.subclass) == 0 &&
		    attr_hex(ifd, "bInterfaceProtocol", 0xff, &f.protocol) == 0)
			*PUSH(d->ifaces, d->nifaces, cap) = f;
		close(ifd);
	}
	closedir(dir);
}

/* udev's hardware database (usb.ids compiled into hwdb.bin), opened once
 * per scan; NULL where udev is not installed. */
struct db {
	struct udev *udev;
	struct udev_hwdb *hwdb;
};

static void
db_open(struct db *db)
{
	db->hwdb = (db->udev = udev_new()) ? udev_hwdb_new(db->udev) : NULL;
}

static void
db_close(struct db *db)
{
	if (db->hwdb)
		udev_hwdb_unref(db->hwdb);
	if (db->udev)
		udev_unref(db->udev);
}

/* "Vendor Product", or NULL. */
static char *
db_name(const struct db *db, unsigned vendor, unsigned product)
{
	const char *v = NULL, *p = NULL;
	struct udev_list_entry *e;
	char key[32];

	if (db->hwdb == NULL)
		return NULL;
	snprintf(key, sizeof(key), "usb:v%04Xp%04X", vendor, product);
	udev_list_entry_foreach(e, udev_hwdb_get_properties_list_entry(db->hwdb, key, 0)) {
		if (strcmp(udev_list_entry_get_name(e), "ID_VENDOR_FROM_DATABASE") == 0)
			v = udev_list_entry_get_value(e);
		else if (strcmp(udev_list_entry_get_name(e), "ID_MODEL_FROM_DATABASE") == 0)
			p = udev_list_entry_get_value(e);
	}
	return v ? xasprintf("%s%s%s", v, p ? " " : "", p ? p : "") : NULL;
}

static int
scan_one(const char *sysfs, const struct db *db, const char *port, struct usb_dev *d)
{
	char path[PATH_MAX], *m, *p;
	int dfd;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/bus/usb/devices/%s", sysfs, port);
	if (!is_device_name(port) ||
	    (dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_set("usb: %s: no such device (%s)", port, path);
		return -1;
	}
	snprintf(d->port, sizeof(d->port), "%s", port);
	if (attr_hex(dfd, "idVendor", 0xffff, &d->vendor) < 0 ||
	    attr_hex(dfd, "idProduct", 0xffff, &d->product) < 0 ||
	    attr_dec(dfd, "busnum", &d->bus) < 0 || attr_dec(dfd, "devnum", &d->devnum) < 0 ||
	    attr_hex(dfd, "bDeviceClass", 0xff, &d->class) < 0 ||
	    attr_hex(dfd, "bDeviceSubClass", 0xff, &d->subclass) < 0 ||
	    attr_hex(dfd, "bDeviceProtocol", 0xff, &d->protocol) < 0) {
		error_set("usb: %s: cannot read its ids in %s: %s; the device went "
		    "away or the tree is damaged", port, path, errno ? strerror(errno) : "bad value");
		close(dfd);
		return -1;
	}
	d->serial = attr_str(dfd, "serial");
	m = attr_str(dfd, "manufacturer");
	p = attr_str(dfd, "product");
	if (m || p)
		d->name = xasprintf("%s%s%s", m ? m : "", m && p ? " " : "", p ? p : "");
	free(m);
	free(p);
	read_ifaces(dfd, port, d);
	d->dbname = db_name(db, d->vendor, d->product);
	close(dfd);
	return 0;
}

int
usb_scan_one(const char *sysfs, const char *port, struct usb_dev *d)
{
	struct db db;
	int r;

	db_open(&db);
	r = scan_one(sysfs, &db, port, d);
	db_close(&db);
	return r;
}

static int
cmp_port(const void *a, const void *b)
{
	return strverscmp(((const struct usb_dev *)a)->port, ((const struct usb_dev *)b)->port);
}

int
usb_scan(const char *sysfs, struct usb_inventory *inv)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct db db;
	DIR *dir;

	memset(inv, 0, sizeof(*inv));
	snprintf(path, sizeof(path), "%s/bus/usb/devices", sysfs);
	if ((dir = opendir(path)) == NULL)
		return errno == ENOENT ? 0 : (error_set("usb: cannot read %s: %s", path,
		    strerror(errno)), -1);
	db_open(&db);
	while ((e = readdir(dir)) != NULL) {
		struct usb_dev d;

		/* a device that left during the scan is not an error */
		if (is_device_name(e->d_name) && scan_one(sysfs, &db, e->d_name, &d) == 0)
			*PUSH(inv->v, inv->n, inv->cap) = d;
	}
	db_close(&db);
	closedir(dir);
	if (inv->n > 1)
		qsort(inv->v, inv->n, sizeof(*inv->v), cmp_port);
	return 0;
}
