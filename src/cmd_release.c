/* pthook release VM: what the hook does on `release end`, by hand. */
#include <stdio.h>

#include "cli.h"
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
	const char *path = config_path(o->config, &explicit_);
	int rc;

	if (o->nargs != 1) {
		msg("release takes one VM name; see pthook --help");
		return EXIT_USAGE;
	}
	/* Giving devices back must not depend on a config that may have
	 * broken since they were taken: fall back to the defaults. */
	if (config_load(path, explicit_, &cfg) < 0) {
		msg("warning: %s; releasing with default settings", error_get());
		config_free(&cfg);
		config_init(&cfg, path);
	}
	log_open(o->args[0], "release", o->verbose > 0);
	rc = hook_release(o->args[0], &cfg, sysfs_root(o->sysfs), state_dir(o->state_dir));
	if (rc == EXIT_START && o->verbose)
		printf("%s: released\n", o->args[0]);
	config_free(&cfg);
	return rc;
}
