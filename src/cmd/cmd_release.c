/* pthook release VM: what the hook does on `release end`, by hand. */
#include <stdio.h>

#include "cli.h"
#include "heldby.h"
#include "hook.h"
#include "log.h"
#include "state.h"
#include "sysfs.h"
#include "util.h"

int
cmd_release(struct opts *o)
{
	struct config cfg;
	bool explicit_;
	const char *path = config_path(o->config, &explicit_), *vm;
	int rc;

	if (o->nargs != 1) {
		msg("release takes one VM name; see pthook --help");
		return EXIT_USAGE;
	}
	vm = o->args[0];
	/* under a running guest, its devices would go back to the host */
	if (domain_running(vm) && !o->force) {
		msg("%s: the domain is running; stop it first (virsh shutdown %s), or give "
		    "its devices back under it with --force", vm, vm);
		return EXIT_REFUSED;
	}
	/* The record says how to give back; the config only how long to
	 * wait for another pthook, and it may have broken meanwhile. */
	if (config_load(path, explicit_, &cfg) < 0)
		msg("warning: %s; releasing from the state record alone", error_get());
	log_open(vm, "release", o->verbose > 0);
	rc = hook_release(vm, cfg.timeout, sysfs_root(o->sysfs), state_dir(o->state_dir));
	if (rc == EXIT_START && o->verbose)
		printf("%s: released\n", vm);
	config_free(&cfg);
	return rc;
}
