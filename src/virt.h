/* The libvirt connection, with libvirt's own error printing silenced:
 * pthook prints one line per problem itself. */
#ifndef PTHOOK_VIRT_H
#define PTHOOK_VIRT_H

#include <libvirt/libvirt.h>

/* NULL with error_set() naming the URI and the likely fix. */
virConnectPtr virt_open(const char *uri);
/* libvirt's last error, one line. */
const char *virt_error(void);

#endif
