/* The libvirt connection, with libvirt's own error printing silenced:
 * pthook prints one line per problem itself.
 *
 * libvirt is dlopen'ed on first use rather than linked: it brings some
 * fifty libraries, and loading them costs more than a whole prepare on
 * a small host.  Commands that never talk to libvirt (--simulate, list,
 * a prepare that detaches through sysfs) do not pay for it.  Calls go
 * through the table below, typed from libvirt's own headers. */
#ifndef PTHOOK_VIRT_H
#define PTHOOK_VIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define VIRT_FUNCS(X) \
	X(virConnectOpen) X(virConnectClose) X(virSetErrorFunc) \
	X(virGetLastErrorMessage) X(virDomainLookupByName) \
	X(virDomainGetXMLDesc) X(virDomainDefineXML) X(virDomainFree) \
	X(virNodeDeviceLookupByName) X(virNodeDeviceDetachFlags) \
	X(virNodeDeviceReAttach) X(virConnectIsAlive) X(virDomainIsActive) \
	X(virDomainAttachDeviceFlags) X(virDomainDetachDeviceFlags) X(virGetLastError) \
	X(virConnectGetLibVersion)

struct virt_api {
#define VIRT_MEMBER(f) __typeof__(f) *f;
	VIRT_FUNCS(VIRT_MEMBER)
#undef VIRT_MEMBER
};

/* Filled by virt_open(); use only on a connection it returned. */
extern struct virt_api virt;

/* NULL with error_set() naming the URI and the likely fix. */
virConnectPtr virt_open(const char *uri);
/* libvirt's last error, one line. */
const char *virt_error(void);

#endif
