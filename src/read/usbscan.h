/* Reading the host's USB devices: <sysfs>/bus/usb/devices. */
#ifndef PTHOOK_USBSCAN_H
#define PTHOOK_USBSCAN_H

#include "usb.h"

/* Every device but root hubs; dbname from udev's hardware database
 * when it is installed.  A host without USB is an empty inventory.
 * Returns 0, or -1 with error_set() naming the path. */
int usb_scan(const char *sysfs, struct usb_inventory *inv);
/* One device by its sysfs name ("1-2.3"): 0, or -1 when it is gone. */
int usb_scan_one(const char *sysfs, const char *port, struct usb_dev *d);

#endif
