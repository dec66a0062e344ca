/* USB devices and the usb = / usb_deny = rules that name them, without
 * any I/O: usbscan.c fills the inventory from sysfs. */
#ifndef PTHOOK_USB_H
#define PTHOOK_USB_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

struct usb_iface {
	unsigned class, subclass, protocol;
};

struct usb_dev {
	char port[32];		/* sysfs name, the physical path: "1-2.3" */
	unsigned bus, devnum;	/* busnum, devnum: change on every replug */
	unsigned vendor, product;
	unsigned class, subclass, protocol;	/* device descriptor */
	struct usb_iface *ifaces;	/* of the active configuration */
	size_t nifaces;
	char *serial;		/* NULL: none */
	char *name;		/* "Manufacturer Product" as the device says, else NULL */
	char *dbname;		/* "Vendor Product" from the USB ids database, else NULL */
};

struct usb_inventory {
	struct usb_dev *v;
	size_t n, cap;
};

enum {
	U_VENDOR = 1 << 0,
	U_PRODUCT = 1 << 1,
	U_NAME = 1 << 2,
	U_CLASS = 1 << 3,
	U_SUBCLASS = 1 << 4,
	U_PROTOCOL = 1 << 5,
	U_BUS = 1 << 6,
	U_PORT = 1 << 7,
	U_SERIAL = 1 << 8,
};

struct usb_match {
	unsigned keys;
	unsigned vendor, product, class, subclass, protocol, bus;
	char *port, *serial;
	regex_t name_re;
	char *text;		/* as written, for messages */
};

/* Returns 0, or -1 with a reason (no file:line) in err. */
int usb_match_parse(const char *text, struct usb_match *m, char *err, size_t errlen);
void usb_match_free(struct usb_match *m);
/* class/subclass/protocol hold together for the device descriptor or
 * for one interface: composite devices put their class on interfaces. */
bool usb_match_device(const struct usb_match *m, const struct usb_dev *d);

void usb_dev_free(struct usb_dev *d);
void usb_inv_free(struct usb_inventory *inv);
/* "1-2.3 046d:c52b Logitech USB Receiver" */
char *usb_describe(const struct usb_dev *d);

#endif
