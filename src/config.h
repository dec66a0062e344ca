/* pthook.ini (SPEC §3). */
#ifndef PTHOOK_CONFIG_H
#define PTHOOK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "match.h"
#include "usb.h"

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

struct vm_conf {
	char *name;
	int line;
	struct rule *pci;
	size_t npci, pcicap;
	struct usb_rule *usb, *usb_deny;
	size_t nusb, usbcap, ndeny, denycap;
	enum group_policy group;
	bool managed;
	bool hotplug;		/* pthook watch attaches devices while it runs */
	unsigned set;		/* keys seen, to refuse duplicates */
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
};

/* -c FILE, else $PTHOOK_CONFIG, else the default; *explicit tells
 * whether the user named a file (then it must exist). */
const char *config_path(const char *opt, bool *explicit_);

/* Returns 0, or -1 with error_set("FILE:LINE: what; fix").  Even on
 * failure cfg lists every [vm "NAME"] header seen, so the hook can tell
 * whether a broken file might name a domain.  A missing file is an
 * error only when must_exist. */
int config_load(const char *path, bool must_exist, struct config *cfg);
/* An empty config with every default, naming no VM. */
void config_init(struct config *cfg, const char *path);
void config_free(struct config *cfg);
/* Parse text into cfg (after config_init, whose path names the text in
 * messages).  0, or -1 with error_set("PATH:LINE: ..."). */
int config_parse(struct config *cfg, const char *buf, size_t len);
const struct vm_conf *config_vm(const struct config *cfg, const char *name);

/* The config as the hook sees it for one domain (SPEC §5.1): a broken
 * config blocks only the domains it might name.  Returns 0 (*named
 * tells whether the domain is configured), or EXIT_USAGE having printed
 * why. */
int config_for_vm(const char *opt, const char *vm, struct config *cfg, bool *named);

#endif
