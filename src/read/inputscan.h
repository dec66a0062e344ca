/* Reading the host's input devices: <sysfs>/class/input/event* and the
 * stable links udev made in <dev>/input/by-id and by-path. */
#ifndef PTHOOK_INPUTSCAN_H
#define PTHOOK_INPUTSCAN_H

#include "input.h"

/* A host without input devices is an empty inventory.  Links are given
 * as /dev/input/... whatever dev stands for.  0, or -1 with
 * error_set() naming the path. */
int input_scan(const char *sysfs, const char *dev, struct input_inventory *inv);
/* The event node ("event7") a /dev/input path leads to now, read
 * through dev; NULL when it leads to none. */
char *input_event_of(const char *dev, const char *path);

#endif
