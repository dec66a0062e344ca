#include "sriov.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define POLL_MS 20

struct numvfs_write {
	char path[PATH_MAX];
	char val[16];
};

static int
write_numvfs(void *arg)
{
	const struct numvfs_write *w = arg;

	return write_small(w->path, w->val);
}

/* VF n of pf exists, with its group when want_group. */
static bool
vf_ready(const char *sysfs, const struct device *pf, long n, bool want_group)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/virtfn%ld%s", sysfs,
	    pf->addr_str, n, want_group ? "/iommu_group" : "");
	return access(path, F_OK) == 0;
}

static int
create(const char *sysfs, const struct vf_create *c, const struct deadline *end)
{
	const struct timespec pause = { 0, POLL_MS * 1000000L };
	struct numvfs_write w;
	long n = c->rule->m.numvfs, i;
	int r;

	snprintf(w.path, sizeof(w.path), "%s/bus/pci/devices/%s/sriov_numvfs", sysfs,
	    c->pf->addr_str);
	snprintf(w.val, sizeof(w.val), "%ld", n);
	if ((r = bounded_call(end, c->pf->addr_str, write_numvfs, &w)) < 0) {
		error_set("%s: cannot create %ld VFs: %s; see 'journalctl -k' (is SR-IOV "
		    "enabled in the firmware?)", c->pf->addr_str, n,
		    r == BOUNDED_TIMEOUT ? "the kernel did not finish in time" : error_get());
		return -1;
	}
	for (i = 0; i < n; i++)
		while (!vf_ready(sysfs, c->pf, i, c->pf->group != GROUP_NONE)) {
			if (deadline_left_ms(end) <= 0) {
				error_set("%s: VF %ld of the %ld just created did not appear in "
				    "time; see 'journalctl -k'", c->pf->addr_str, i, n);
				return -1;
			}
			nanosleep(&pause, NULL);
		}
	return 0;
}

int
sriov_create(const char *sysfs, const struct plan *p, const struct deadline *end)
{
	size_t i;

	for (i = 0; i < p->ncreates; i++) {
		log_msg(LOG_INFO, "%s: create %ld VFs on %s (numvfs=%ld)", p->vm,
		    p->creates[i].rule->m.numvfs, p->creates[i].pf->addr_str,
		    p->creates[i].rule->m.numvfs);
		if (create(sysfs, &p->creates[i], end) < 0)
			return -1;
	}
	return 0;
}
