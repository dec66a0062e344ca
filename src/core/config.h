/* pthook.ini (SPEC §3). */
#ifndef PTHOOK_CONFIG_H
#define PTHOOK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "match.h"
#include "input.h"
#include "usb.h"
#include "util.h"

#define CONFIG_DEFAULT "/etc/pthook/pthook.ini"

enum group_policy { GROUP_ASSIGN, GROUP_DETACH, GROUP_STRICT };
enum detach_mode { DETACH_AUTO, DETACH_LIBVIRT, DETACH_SYSFS };

struct rule {
	struct match m;
	int line;
};

struct usb_rule {
	struct usb_match m;
	int line;
};

struct input_rule {
	struct input_match m;
	int line;
};

struct vm_conf {
	char *name;
	int line;
	struct rule *pci;
	size_t npci, pcicap;
	struct usb_rule *usb, *usb_deny;
	size_t nusb, usbcap, ndeny, denycap;
	struct input_rule *input, *input_deny;	/* issue #21: evdev inputs */
	size_t ninput, inputcap, nindeny, indenycap;
	enum group_policy group;
	bool managed;
	bool hotplug;		/* pthook watch attaches devices while it runs */
	bool early;		/* early = yes: its devices are claimed for the
				 * vfio driver as they appear (pthook claim,
				 * from udev), before a host driver binds */
	bool handoff;		/* console = handoff: the host's console GPU may
				 * go to this VM (handoff.h) */
	struct strlist units;	/* units = ...: stopped for the handoff, started
				 * after; default display-manager.service */
	unsigned set;		/* keys seen, to refuse duplicates */
};

/* Where a config error belongs (SPEC §5.1): what it can affect is what
 * it blocks.  Else the index of the [vm] section it is in. */
enum {
	SCOPE_NONE = -3,	/* (a domain the file does not name) */
	SCOPE_ANY = -2,		/* unreadable, a header or byte that might name any VM */
	SCOPE_GLOBAL = -1,	/* [global] or before any section: every VM it names */
};

struct config_error {
	char *text;		/* "FILE:LINE: what; fix" */
	int scope;
};

struct config {
	char *path;
	bool present;		/* false: no file at the default path */
	char *uri;
	char *driver;
	bool reattach;
	enum detach_mode detach;
	int timeout;
	struct rule *protect;
	size_t nprotect, protcap;
	struct vm_conf *vms;
	size_t nvms, vmcap;
	unsigned uses;		/* M_* keys used by any rule */
	unsigned set;		/* [global] keys seen */
	struct config_error *errors;	/* every error, in file order */
	size_t nerrors, errcap;
	char *unsafe;		/* why nobody should trust it: owner, mode */
};

/* -c FILE, else $PTHOOK_CONFIG, else the default; *explicit tells
 * whether the user named a file (then it must exist). */
const char *config_path(const char *opt, bool *explicit_);

/* Reads and parses the file once, whole, never stopping at an error.
 * Returns 0, or -1 with error_set() of the first problem; either way
 * cfg holds what could be read, every [vm "NAME"] header among it, and
 * cfg->errors every error with what it may affect.  A missing file is
 * an error only when must_exist. */
int config_load(const char *path, bool must_exist, struct config *cfg);
/* An empty config with every default, naming no VM. */
void config_init(struct config *cfg, const char *path);
void config_free(struct config *cfg);
/* Parse text into cfg (after config_init, whose path names the text in
 * messages).  0, or -1 as config_load. */
int config_parse(struct config *cfg, const char *buf, size_t len);
const struct vm_conf *config_vm(const struct config *cfg, const char *name);

/* The problem that blocks vm's start (SPEC §5.1), or NULL: an error that
 * might name any domain, or, for a domain the file names, an unsafe
 * file, a [global] error or one in its own section.  An error in
 * another VM's section concerns that VM only. */
const char *config_problem(const struct config *cfg, const char *vm);
/* Whether the config names vm or might: the hook's fast path is for
 * the rest. */
bool config_concerns(const struct config *cfg, const char *vm);

#endif
