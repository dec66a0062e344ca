/* pthook list's USB section (list_usb.c). */
#ifndef PTHOOK_LIST_USB_H
#define PTHOOK_LIST_USB_H

#include "cli.h"

/* Text: a "USB" block after the groups, none without devices; JSON:
 * the ", \"usb\": [...]" member. */
void list_usb(const struct opts *o, const struct ctx *c, const struct holders *h);

#endif
