/* Command-line plumbing shared by the commands: parsed options, and
 * the config + host inventory most commands start from. */
#ifndef PTHOOK_CLI_H
#define PTHOOK_CLI_H

#include <stdbool.h>

#include "config.h"
#include "critical.h"
#include "domxml.h"
#include "heldby.h"
#include "inventory.h"
#include "plan.h"
#include "state.h"
#include "sysfs.h"

enum {
	O_CONFIG = 1 << 0, O_SYSFS = 1 << 1, O_STATE = 1 << 2, O_CONNECT = 1 << 3,
	O_JSON = 1 << 4, O_VERBOSE = 1 << 5, O_VM = 1 << 6, O_DRYRUN = 1 << 7,
	O_YES = 1 << 8, O_DEBUGXML = 1 << 9, O_OP = 1 << 10, O_BACKUP = 1 << 11,
	O_SIMULATE = 1 << 12, O_ATTACH = 1 << 13, O_FORCE = 1 << 14,
	O_INSTALL = 1 << 15, O_HOST = 1 << 16,
};
#define O_COMMON (O_CONFIG | O_SYSFS | O_STATE | O_CONNECT | O_JSON | O_VERBOSE)

struct opts {
	const char *config, *sysfs, *state_dir, *connect;
	const char *op, *debug_xml, *backup_dir, *simulate;
	bool json, dry_run, yes, help, attach, force, install, host;
	int verbose;
	char **vms;
	int nvms;
	char **args;		/* positional arguments after the command */
	int nargs;
	unsigned given;
};

/* The world a command (or the hook) looks at. */
struct ctx {
	struct config cfg;
	struct inventory inv;
	struct criticals crit;
	struct usb_inventory usb;	/* with SCAN_USB */
	struct input_inventory input;	/* read by ctx_add_input */
	const char *sysfs;		/* the root ctx_scan read */
	unsigned scan;			/* with which SCAN_* flags */
};

/* Loads the config (required when need_config or named explicitly) and
 * scans sysfs.  Returns 0 or an exit code, having printed the reason. */
int ctx_open(struct ctx *c, const struct opts *o, bool need_config, unsigned scan);
void ctx_close(struct ctx *c);
/* Forget what ctx_scan read, to read the host again (the config stays). */
void ctx_drop_scan(struct ctx *c);
/* The inventory (with what the config's rules need: names, serials),
 * read in full where f says (NULL: everywhere; sysfs.h), and the
 * host-critical devices.  -1 with error_set(). */
int ctx_scan(struct ctx *c, const char *sysfs, unsigned scan, const struct scan_focus *f);
/* The same, read in full only where vm's plan can look (sysfs.h): its
 * rules, x's hostdevs (x may be NULL) and the addresses in mine (NULL:
 * none).  flags as for ctx_scan. */
int ctx_scan_vm(struct ctx *c, const char *sysfs, unsigned flags, const char *vm,
    const struct domxml *x, const struct record *mine);
/* Whether the command line's VM names (names, n of them) take in vm:
 * any when there are none, else those named (vm NULL: none). */
bool vm_wanted(const char *vm, char **names, int n);
/* Exit code 2 with a message when a VM named on the command line has no
 * [vm] section. */
int ctx_check_vms(const struct ctx *c, char **names, int n);
/* The plan for vm; x: its domain XML (NULL: none), h: what other
 * domains hold (NULL: nothing). */
void ctx_plan(struct ctx *c, const char *vm, const struct domxml *x,
    const struct holders *h, struct plan *p);
/* The one verdict (SPEC §7): the plan for vm with every refusal its
 * start meets, for prepare, --simulate and check alike.  Over the same
 * inputs: the config and host in c, x (NULL: none, as for check), what
 * other domains hold (h), vm's own record (mine, NULL: none: a device
 * an earlier run kept dead), the processes that hold what the plan
 * takes (ctx_openers), and, with ip, vm's input rules against x's
 * evdev elements, whose steps, errors, stale elements and warnings are
 * the plan's too.  ip NULL (a hot-plug into a running VM): inputs are
 * not judged. */
void ctx_verdict(struct ctx *c, const char *vm, const struct domxml *x,
    const struct holders *h, const struct record *mine, struct plan *p,
    struct input_plan *ip);
/* Refusals for the processes that hold what p would take from a host
 * driver (openers.h): a start would hang on the unbind.  For a VM with
 * console = handoff, the console GPU's handoff instead (handoff.h:
 * p->console, its steps, and whether the host stays reachable).  Not
 * part of ctx_plan: defining a definition (apply) needs no free
 * device. */
void ctx_openers(const struct ctx *c, struct plan *p);
/* The USB devices vm owns that x lacks, added to x; their steps in up. */
void ctx_add_usb(const struct ctx *c, const char *vm, struct domxml *x, struct usb_plan *up);
/* The evdev inputs vm's rules select, into x (inputplan.h): added, or
 * rewritten in place; steps, errors and warnings in ip, which points
 * into c.  -1 with error_set() when the input devices cannot be read. */
int ctx_add_input(struct ctx *c, const char *vm, struct domxml *x, struct input_plan *ip);

int cmd_list(struct opts *o);
int cmd_check(struct opts *o);
int cmd_simulate(struct opts *o);
int cmd_apply(struct opts *o);
int cmd_watch(struct opts *o);
int cmd_release(struct opts *o);
int cmd_status(struct opts *o);
int cmd_claim(struct opts *o);

#endif
