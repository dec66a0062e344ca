/* The commands and the hook, behind main.c: the libvirt hook form is
 * recognised by its shape (SPEC §2); everything else is a subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hook.h"
#include "util.h"

#ifndef PTHOOK_VERSION
#define PTHOOK_VERSION "0.1"
#endif

struct command {
	const char *name;
	int (*run)(struct opts *);
	unsigned allowed;	/* options beyond O_COMMON */
	const char *usage;	/* one line (two for apply) for pthook --help */
	const char *help;	/* what pthook COMMAND --help adds */
};

static const struct command commands[] = {
	{ "list", cmd_list, 0,
	  "list [VM...]            PCI devices by IOMMU group, with driver and owner",
	  "The host's PCI functions by IOMMU group: class, ids, name, driver and the\n"
	  "VM that claims each (every VM's claims; VM... picks which VMs' rules\n"
	  "count).  Devices with no IOMMU group come last.\n"
	  "  --json          SPEC section 4 JSON\n"
	  "  -v              also PCIe serial numbers\n" },
	{ "check", cmd_check, O_INSTALL | O_HOST,
	  "check [--install|--host] [VM...]   validate the config against this host; no changes",
	  "Lint the config against this host: rules matching nothing or several\n"
	  "devices, groups that are not viable, devices two VMs want, host-critical\n"
	  "devices, address-only rules.  Exit 1 on errors, 0 with warnings only.\n"
	  "  -v              each VM's plan, step by step\n"
	  "  --install       check the installation instead: the hook where libvirt\n"
	  "                  looks, executable, a copy of this pthook, seen by the\n"
	  "                  running daemon; config and state dir; AppArmor/SELinux;\n"
	  "                  pthook-watch for hotplug = yes\n"
	  "  --host          check that this host can pass devices through at all:\n"
	  "                  the IOMMU in firmware and kernel, interrupt remapping,\n"
	  "                  pcie_acs_override, vfio-pci, and a reset for each device\n"
	  "                  the config names\n" },
	{ "apply", cmd_apply, O_VM | O_DRYRUN | O_YES | O_DEBUGXML | O_BACKUP,
	  "apply [--vm NAME]... [--dry-run] [-y|--yes] [--debug-xml FILE] [--backup-dir DIR]\n"
	  "                               rewrite persistent libvirt definitions to match",
	  "Rewrite the persistent libvirt definitions to match the config: a unified\n"
	  "diff per VM, a question, a backup of the old definition, virDomainDefineXML,\n"
	  "and a read-back check.\n"
	  "  --vm NAME       only this VM (repeatable; default: every configured VM)\n"
	  "  --dry-run       show the diff, change nothing\n"
	  "  -y, --yes       do not ask\n"
	  "  --debug-xml F   write each proposed definition to F with -VM before the extension\n"
	  "  --backup-dir D  where old definitions go (default /var/lib/pthook/backup)\n"
	  "  --connect URI   libvirt URI (default: uri from the config)\n"
	  "  -v              also the plan, step by step\n" },
	{ "release", cmd_release, O_FORCE,
	  "release [--force] VM    give back what the hook detached for VM",
	  "What the hook does on 'release end', by hand: give back, newest first,\n"
	  "what pthook detached for VM, and forget it.  Harmless when there is nothing.\n"
	  "Refused while VM runs.\n"
	  "  --force         give them back even under a running VM\n"
	  "  -v              say what was given back\n" },
	{ "status", cmd_status, 0,
	  "status [VM...]          what pthook holds now, and what is left over",
	  "What pthook holds right now, per VM: running or not, each device it\n"
	  "detached and the driver it goes back to, the guest's devices, the console\n"
	  "handoff, devices the health check kept back.  A VM that no longer runs but\n"
	  "still holds devices is left over (pthook release VM gives them back).\n"
	  "Exit 1 when anything is left over or kept back, else 0.\n"
	  "  --json          one JSON object instead\n" },
	{ "claim", cmd_claim, 0,
	  "claim                   boot-time claim for VMs with early = yes (udev runs it)",
	  "Run by udev as each PCI function appears (60-pthook.rules), before its\n"
	  "driver is loaded: every device the plan of a VM with early = yes takes\n"
	  "that has no driver yet is bound to the vfio driver (driver_override), so\n"
	  "it never meets its host driver.  Devices already on a driver are left\n"
	  "for the start.  Exit 3 when a claim failed.\n"
	  "  -v              each claim on stderr too\n" },
	{ "watch", cmd_watch, O_ATTACH,
	  "watch [--attach-connected]   hot-plug: attach USB/PCI/input devices to running VMs by rule",
	  "Listen to udev for USB, PCI and input devices coming and going; attach each\n"
	  "to the running VM whose rules name it (hotplug = yes in its section) through\n"
	  "libvirt, and detach USB and input devices again when they leave.  A PCI\n"
	  "device's IOMMU group is checked as at start.  libvirt cannot hot-plug evdev\n"
	  "inputs: said once.  Runs until SIGTERM (pthook-watch.service).\n"
	  "  --attach-connected  also attach matching USB and input devices present at start\n"
	  "  --connect URI   libvirt URI (default: uri from the config)\n"
	  "  -v              each decision on stderr too\n" },
	{ "--simulate", cmd_simulate, O_OP | O_SIMULATE,
	  "--simulate FILE.xml [--op OP]   dry run of the hook for that domain XML ('-' = stdin)",
	  "Dry run of the hook: stdout is the rewritten domain XML; stderr the plan,\n"
	  "the refusals and a unified diff.  The exit code is the hook's.\n"
	  "  --op OP         prepare (default), migrate, restore, ...\n"
	  "  --json          one JSON object instead (SPEC section 4)\n" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char common_usage[] =
    "common: -c/--config FILE  --sysfs DIR  --state-dir DIR  --connect URI  "
    "--json  -v/--verbose  -h/--help  --version\n";

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: pthook DOMAIN OP SUBOP EXTRA     (the libvirt hook; domain XML on stdin)\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "       pthook %s\n", commands[i].usage);
	fputs("       pthook help [COMMAND]\n", f);
	fputs(common_usage, f);
	fputs("See pthook(8) and pthook.ini(5).\n", f);
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0 ||
		    (name[0] != '-' && strcmp(commands[i].name + 2, name) == 0 &&
		    commands[i].name[0] == '-'))
			return &commands[i];
	return NULL;
}

static int
help(const char *name)
{
	const struct command *c;

	if (name == NULL) {
		usage(stdout);
		return EXIT_START;
	}
	if ((c = find_command(name)) == NULL) {
		msg("help: no command '%s'; see pthook --help", name);
		return EXIT_USAGE;
	}
	printf("usage: pthook %s\n\n%s%s", c->usage, c->help, common_usage);
	return EXIT_START;
}

enum { OPT_SYSFS = 256, OPT_STATE, OPT_CONNECT, OPT_JSON, OPT_VERSION,
	OPT_VM, OPT_DRYRUN, OPT_DEBUGXML, OPT_OP, OPT_BACKUP, OPT_SIMULATE, OPT_ATTACH,
	OPT_FORCE, OPT_INSTALL, OPT_HOST };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "state-dir", required_argument, NULL, OPT_STATE },
	{ "connect", required_argument, NULL, OPT_CONNECT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "vm", required_argument, NULL, OPT_VM },
	{ "dry-run", no_argument, NULL, OPT_DRYRUN },
	{ "yes", no_argument, NULL, 'y' },
	{ "debug-xml", required_argument, NULL, OPT_DEBUGXML },
	{ "op", required_argument, NULL, OPT_OP },
	{ "backup-dir", required_argument, NULL, OPT_BACKUP },
	{ "simulate", required_argument, NULL, OPT_SIMULATE },
	{ "attach-connected", no_argument, NULL, OPT_ATTACH },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "install", no_argument, NULL, OPT_INSTALL },
	{ "host", no_argument, NULL, OPT_HOST },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else an exit code. */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:vhy", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; o->given |= O_CONFIG; break;
		case OPT_SYSFS: o->sysfs = optarg; o->given |= O_SYSFS; break;
		case OPT_STATE: o->state_dir = optarg; o->given |= O_STATE; break;
		case OPT_CONNECT: o->connect = optarg; o->given |= O_CONNECT; break;
		case OPT_JSON: o->json = true; o->given |= O_JSON; break;
		case 'v': o->verbose++; o->given |= O_VERBOSE; break;
		case 'y': o->yes = true; o->given |= O_YES; break;
		case OPT_DRYRUN: o->dry_run = true; o->given |= O_DRYRUN; break;
		case OPT_DEBUGXML: o->debug_xml = optarg; o->given |= O_DEBUGXML; break;
		case OPT_OP: o->op = optarg; o->given |= O_OP; break;
		case OPT_BACKUP: o->backup_dir = optarg; o->given |= O_BACKUP; break;
		case OPT_SIMULATE: o->simulate = optarg; o->given |= O_SIMULATE; break;
		case OPT_ATTACH: o->attach = true; o->given |= O_ATTACH; break;
		case OPT_FORCE: o->force = true; o->given |= O_FORCE; break;
		case OPT_INSTALL: o->install = true; o->given |= O_INSTALL; break;
		case OPT_HOST: o->host = true; o->given |= O_HOST; break;
		case OPT_VM:
			o->vms = xreallocarray(o->vms, (size_t)o->nvms + 1, sizeof(*o->vms));
			o->vms[o->nvms++] = optarg;
			o->given |= O_VM;
			break;
		case 'h': o->help = true; break;
		case OPT_VERSION:
			printf("pthook %s\n", PTHOOK_VERSION);
			return EXIT_START;
		default:
			if (optopt)
				msg("option -%c: unknown or missing its argument; see pthook --help",
				    optopt);
			else
				msg("option %s: unknown or missing its argument; see pthook --help",
				    argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	/* GNU getopt moved the positionals to the end. */
	o->args = &argv[optind];
	o->nargs = argc - optind;
	return -1;
}

/* hook: the config as main.c read it, for the hook form (the file is
 * read once a run); NULL for a command. */
int pthook_core_main(int argc, char **argv, struct config *hook);

int
pthook_core_main(int argc, char **argv, struct config *hook)
{
	const struct command *c;
	struct opts o = { 0 };
	const char *name;
	int rc;

	/* libvirt runs us with no options and a minimal environment */
	if (hook)
		return hook_main(argv, hook);
	if ((rc = parse_opts(argc, argv, &o)) >= 0) {
		free(o.vms);
		return rc;
	}
	if (o.simulate) {
		name = "--simulate";
	} else if (o.nargs == 0) {
		free(o.vms);
		if (o.help)
			return help(NULL);
		usage(stderr);
		return EXIT_USAGE;
	} else {
		name = o.args[0];
		o.args++;
		o.nargs--;
	}
	if (strcmp(name, "help") == 0 || o.help) {
		rc = strcmp(name, "help") ? help(name) : help(o.nargs ? o.args[0] : NULL);
	} else if ((c = find_command(name)) == NULL || (c->name[0] == '-' && !o.simulate)) {
		msg("unknown command '%s'; see pthook --help", name);
		rc = EXIT_USAGE;
	} else if (o.given & ~(O_COMMON | c->allowed)) {
		msg("%s: an option given does not apply to this command; see "
		    "pthook %s --help", name, name);
		rc = EXIT_USAGE;
	} else {
		rc = c->run(&o);
	}
	free(o.vms);
	return rc;
}
