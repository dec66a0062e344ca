/* Creating the VFs a plan asks for (numvfs=N on a PF with none). */
#ifndef PTHOOK_SRIOV_H
#define PTHOOK_SRIOV_H

#include "bounded.h"
#include "plan.h"

/* Writes sriov_numvfs of each PF in p->creates and waits, within end,
 * until the kernel lists every new VF with its IOMMU group (when the
 * PF has one).  The write runs bounded: a PF driver may take long to
 * set up its VFs.  0, or -1 with error_set() naming the PF and the fix.
 * The VFs stay when the VM stops: they are the host's configuration,
 * as if an administrator had created them, and a restart finds them
 * at the same addresses. */
int sriov_create(const char *sysfs, const struct plan *p, const struct deadline *end);

#endif
