/* pthook's entry point.  libvirt runs the hook before every VM start on
 * the host, most of them VMs pthook does not manage, and saying "not
 * ours" must not cost loading libvirt, libxml2 and libpci (about 60
 * shared libraries, ~15x the start-up of /bin/true; SPEC §5.1).  So this
 * program links only libc, answers the fast path itself, and
 * loads everything else from pthook-core.so. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hookshape.h"
#include "state.h"
#include "util.h"

#ifndef PTHOOK_LIBDIR
#define PTHOOK_LIBDIR "/usr/lib/pthook"
#endif
#define CORE "pthook-core.so"

/* what(1) string: hook/place tells pthook's copy in the hooks dir from
 * a hook of the user's by it. */
static const char sccsid[] __attribute__((used)) = "@(#)pthook " PTHOOK_VERSION;

/* The hook form for a domain the config does not concern: nothing to
 * do, unless pthook still holds devices for it (release).  The config
 * is read here, once; the core gets it as it was read. */
static bool
fast_path(char **argv, struct config *cfg)
{
	bool explicit_;
	const char *path = config_path(NULL, &explicit_);

	config_load(path, explicit_, cfg);
	if (config_concerns(cfg, argv[1]) ||
	    (strcmp(argv[2], "release") == 0 && state_has(state_dir(NULL), argv[1])))
		return false;
	config_free(cfg);
	return true;
}

/* pthook claim as udev runs it for every PCI function that appears
 * (etc/60-pthook.rules): nothing to do unless a VM says early = yes.  A
 * config that is not read right goes to the core, which says why. */
static bool
no_claims(int argc, char **argv)
{
	struct config cfg;
	bool explicit_, none;
	size_t i;

	if (argc != 2 || strcmp(argv[1], "claim") != 0)
		return false;
	none = config_load(config_path(NULL, &explicit_), explicit_, &cfg) == 0 &&
	    cfg.nerrors == 0;
	for (i = 0; none && i < cfg.nvms; i++)
		none = !cfg.vms[i].early;
	config_free(&cfg);
	return none;
}

/* Next to this program (a build tree, or a hooks dir holding both),
 * else the install directory.  pthook runs as root: the core must be as
 * safe as the config. */
static int
find_core(char *path, size_t size)
{
	char exe[PATH_MAX], *slash;
	const char *dirs[2] = { NULL, PTHOOK_LIBDIR };
	struct stat st;
	ssize_t n;
	int i;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			*slash = '\0';
			dirs[0] = exe;
		}
	}
	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL)
			continue;
		snprintf(path, size, "%s/%s", dirs[i], CORE);
		if (stat(path, &st) < 0)
			continue;
		if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
			msg("%s: not root's or writable by others (mode %04o); chown root %s && "
			    "chmod go-w %s", path, (unsigned)(st.st_mode & 07777), path, path);
			return -1;
		}
		return 0;
	}
	msg("cannot find %s next to %s or in %s; reinstall pthook", CORE,
	    dirs[0] ? dirs[0] : "this program", PTHOOK_LIBDIR);
	return -1;
}

int
main(int argc, char **argv)
{
	int (*core)(int, char **, struct config *);
	char path[PATH_MAX + 32];
	struct config cfg, *hook = NULL;
	void *h;

	if (hook_shape(argc, argv)) {
		if (fast_path(argv, &cfg))
			return EXIT_START;
		hook = &cfg;
	} else if (no_claims(argc, argv)) {
		return EXIT_START;
	}
	/* A hook run that cannot load the core refuses only a start. */
	if (find_core(path, sizeof(path)) < 0)
		return hook && strcmp(argv[2], "prepare") ? EXIT_START : EXIT_HOST;
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (core = (int (*)(int, char **, struct config *))dlsym(h, "pthook_core_main")) == NULL) {
		msg("cannot load %s: %s; reinstall pthook", path, dlerror());
		return hook && strcmp(argv[2], "prepare") ? EXIT_START : EXIT_HOST;
	}
	return core(argc, argv, hook);
}
