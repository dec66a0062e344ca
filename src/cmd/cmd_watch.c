/* pthook watch: hot-plug.  Listens to udev for USB, PCI and input
 * devices coming and going, and attaches them to (or detaches them
 * from) the running VM whose rules name them, when that VM has
 * hotplug = yes.  This runs outside any hook, so calling libvirt is
 * safe here. */
#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "domxml.h"
#include "hook.h"
#include "inputscan.h"
#include "log.h"
#include "state.h"
#include "sysfs.h"
#include "usbscan.h"
#include "util.h"
#include "virt.h"

/* A device watch attached, to detach it when it leaves. */
struct attached {
	char key[32];		/* USB port ("1-2.3") or event node ("event7") */
	bool usb;		/* on the VM's record too */
	char *vm, *xml;
};

struct watch {
	const struct opts *o;
	const char *sysfs, *state;
	virConnectPtr conn;
	bool conn_failed;	/* said so already: do not log every retry */
	bool no_evdev;		/* this daemon cannot hot-plug evdev inputs:
				 * said once, not tried again */
	struct attached *v;
	size_t n, cap;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Read anew for each event: edits apply without a restart. */
static int
load_config(const struct watch *w, struct config *cfg)
{
	bool explicit_;
	const char *path = config_path(w->o->config, &explicit_);

	if (config_load(path, true, cfg) < 0) {
		log_msg(LOG_ERR, "%s; ignoring the event", error_get());
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* The connection, reopened when libvirtd went away (a restart). */
static virConnectPtr
connection(struct watch *w, const struct config *cfg)
{
	if (w->conn && virt.virConnectIsAlive(w->conn) == 1)
		return w->conn;
	if (w->conn) {
		log_msg(LOG_WARNING, "libvirt went away; reconnecting");
		virt.virConnectClose(w->conn);
	}
	w->conn = virt_open(w->o->connect ? w->o->connect : cfg->uri);
	w->no_evdev = false;	/* perhaps a newer libvirt now */
	if (w->conn == NULL && !w->conn_failed)
		log_msg(LOG_ERR, "%s; will try again at the next event", error_get());
	w->conn_failed = w->conn == NULL;
	return w->conn;
}

/* The domain if it runs; a VM that is not running is not an error.
 * A lookup that fails for another reason than "no such domain" means
 * the connection broke (libvirtd restarted): reconnect and ask again. */
static virDomainPtr
running(struct watch *w, const struct config *cfg, const char *vm)
{
	virDomainPtr dom = NULL;
	virErrorPtr e;
	int tries;

	for (tries = 0; tries < 2 && dom == NULL; tries++) {
		if (connection(w, cfg) == NULL)
			return NULL;
		if ((dom = virt.virDomainLookupByName(w->conn, vm)) != NULL)
			break;
		if ((e = virt.virGetLastError()) == NULL || e->code == VIR_ERR_NO_DOMAIN)
			return NULL;
		log_msg(LOG_WARNING, "libvirt: %s; reconnecting", virt_error());
		virt.virConnectClose(w->conn);
		w->conn = NULL;
	}
	if (dom && virt.virDomainIsActive(dom) != 1) {
		virt.virDomainFree(dom);
		dom = NULL;
	}
	return dom;
}

/* port on or off vm's record (state.h: record.usb), so list and
 * status can tell what watch attached.  Only said when it fails: the
 * attachment itself stands. */
static void
record_usb(const struct watch *w, const struct config *cfg, const char *vm,
    const char *port, bool on)
{
	struct record r;
	size_t i;
	int lock;

	if ((lock = state_lock(w->state, cfg->timeout)) < 0) {
		log_at(LOG_WARNING, port, "record", "%s: usb %s: %s", vm, port, error_get());
		return;
	}
	if (state_read(w->state, vm, &r) == 0) {
		for (i = 0; i < r.usb.n && strcmp(r.usb.v[i], port) != 0; i++)
			;
		if (on && i == r.usb.n)
			strlist_add(&r.usb, xstrdup(port));
		else if (!on && i < r.usb.n) {
			free(r.usb.v[i]);
			r.usb.v[i] = r.usb.v[--r.usb.n];
		}
		if (state_write(w->state, &r) < 0)
			log_at(LOG_WARNING, port, "record", "%s: usb %s: %s", vm, port, error_get());
	} else {
		log_at(LOG_WARNING, port, "record", "%s: usb %s: %s", vm, port, error_get());
	}
	record_free(&r);
	state_unlock(lock);
}

static struct attached *
find_attached(struct watch *w, const char *key)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->v[i].key, key) == 0)
			return &w->v[i];
	return NULL;
}

static void
remember(struct watch *w, const char *key, bool usb, const char *vm, char *xml)
{
	struct attached *a = PUSH(w->v, w->n, w->cap);

	snprintf(a->key, sizeof(a->key), "%s", key);
	a->usb = usb;
	a->vm = xstrdup(vm);
	a->xml = xml;
}

static void
usb_added(struct watch *w, const char *port)
{
	const struct vm_conf *vm;
	const struct usb_rule *r;
	struct config cfg;
	struct usb_dev d;
	virDomainPtr dom;
	char *desc, *xml;

	if (find_attached(w, port) || usb_scan_one(w->sysfs, port, &d) < 0)
		return;
	desc = usb_describe(&d);
	if (load_config(w, &cfg) < 0)
		goto out;
	if ((vm = usb_owner(&cfg, &d, &r)) == NULL) {
		log_at(LOG_DEBUG, port, "skip", "usb %s: no usb = rule names it", desc);
		goto out_cfg;
	}
	log_domain(vm->name);
	if (!vm->hotplug) {
		log_at(LOG_INFO, port, "skip", "%s: usb %s: rule line %d names it, but "
		    "hotplug = no", vm->name, desc, r->line);
	} else if ((dom = running(w, &cfg, vm->name)) == NULL) {
		log_at(LOG_INFO, port, "skip", "%s: usb %s: the VM is not running", vm->name, desc);
	} else {
		/* by address too: exactly this device, even beside its twin */
		xml = domxml_usb_hostdev(&(struct usb_add){ &d, r, true });
		if (virt.virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
			log_at(LOG_ERR, port, "attach", "%s: usb %s: libvirt could not attach "
			    "it: %s", vm->name, desc, virt_error());
			free(xml);
		} else {
			remember(w, port, true, vm->name, xml);
			log_at(LOG_INFO, port, "attach", "%s: usb %s attached (rule line %d)",
			    vm->name, desc, r->line);
			record_usb(w, &cfg, vm->name, port, true);
		}
		virt.virDomainFree(dom);
	}
	log_domain(NULL);
out_cfg:
	config_free(&cfg);
out:
	free(desc);
	usb_dev_free(&d);
}

/* A USB port or event node that left: what watch attached from it is
 * detached from the VM that still runs. */
static void
removed(struct watch *w, const char *key)
{
	struct attached *a = find_attached(w, key);
	const char *what;
	struct config cfg;
	virDomainPtr dom;

	if (a == NULL || load_config(w, &cfg) < 0)
		return;
	what = a->usb ? "usb" : "input";
	log_domain(a->vm);
	if ((dom = running(w, &cfg, a->vm)) != NULL) {
		if (virt.virDomainDetachDeviceFlags(dom, a->xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
			log_at(LOG_WARNING, key, "detach", "%s: %s %s left; libvirt could not "
			    "detach it: %s", a->vm, what, key, virt_error());
		else
			log_at(LOG_INFO, key, "detach", "%s: %s %s left; detached", a->vm, what, key);
		virt.virDomainFree(dom);
	}
	if (a->usb)
		record_usb(w, &cfg, a->vm, key, false);
	log_domain(NULL);
	config_free(&cfg);
	free(a->vm);
	free(a->xml);
	*a = w->v[--w->n];
}

/* "9.0.0" */
static void
lib_version(virConnectPtr conn, char *buf, size_t len)
{
	unsigned long v;

	if (virt.virConnectGetLibVersion(conn, &v) < 0)
		snprintf(buf, len, "(version unknown)");
	else
		snprintf(buf, len, "%lu.%lu.%lu", v / 1000000, v / 1000 % 1000, v % 1000);
}

/* Attaches pick to the running dom.  libvirt hot-plugs no evdev input
 * (qemu_hotplug.c, 9.0 to this day: "input device on bus 'none' cannot
 * be hot plugged"), and refuses before it touches anything: said once
 * a daemon, then not asked again. */
static void
attach_input(struct watch *w, virDomainPtr dom, const char *vm, const struct input_pick *pick)
{
	char *xml, *desc = input_describe(pick->dev), *why, version[32];
	const char *event = pick->dev->event;
	virErrorPtr e;

	if (w->no_evdev) {
		log_at(LOG_DEBUG, event, "skip", "%s: input %s: libvirt cannot hot-plug evdev "
		    "inputs (said above)", vm, desc);
		free(desc);
		return;
	}
	xml = domxml_evdev_input(pick);
	if (virt.virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) == 0) {
		remember(w, event, false, vm, xml);
		log_at(LOG_INFO, event, "attach", "%s: input %s attached (rule line %d)", vm,
		    desc, pick->rule->line);
		free(desc);
		return;
	}
	if ((e = virt.virGetLastError()) != NULL && e->code == VIR_ERR_OPERATION_UNSUPPORTED) {
		w->no_evdev = true;
		why = xstrdup(virt_error());	/* the next call clears it */
		lib_version(w->conn, version, sizeof(version));
		log_at(LOG_WARNING, event, "attach", "%s: input %s: libvirt %s cannot hot-plug "
		    "evdev inputs (%s); the VM gets it at its next start: 'pthook apply %s' "
		    "puts it in the definition.  Said once; watch asks this daemon no more",
		    vm, desc, version, why, vm);
		free(why);
	} else {
		log_at(LOG_ERR, event, "attach", "%s: input %s: libvirt could not attach it: %s",
		    vm, desc, virt_error());
	}
	free(xml);
	free(desc);
}

/* The newcomer, when vm's rules pick it and the live definition lacks
 * it: the plan apply makes (ctx_add_input), against the live
 * definition. */
static void
input_for_vm(struct watch *w, struct ctx *c, virDomainPtr dom, const char *vm,
    const char *event)
{
	struct domxml x = { 0 };
	struct input_plan ip = { 0 };
	char *live = virt.virDomainGetXMLDesc(dom, 0);
	size_t i;

	if (live == NULL || domxml_parse(live, strlen(live), &x) < 0 ||
	    ctx_add_input(c, vm, &x, &ip) < 0) {
		log_at(LOG_ERR, event, "skip", "%s: input %s: cannot read the live definition: "
		    "%s", vm, event, live ? error_get() : virt_error());
	} else if (ip.errors.n) {
		for (i = 0; i < ip.errors.n; i++)
			log_at(LOG_WARNING, event, "refuse", "%s", ip.errors.v[i]);
	} else {
		for (i = 0; i < ip.nadd && strcmp(ip.add[i]->dev->event, event) != 0; i++)
			;
		if (i < ip.nadd)
			attach_input(w, dom, vm, ip.add[i]);
		else
			log_at(LOG_DEBUG, event, "skip", "%s: input %s: the VM has it already",
			    vm, event);
	}
	input_plan_free(&ip);
	domxml_free(&x);
	free(live);
}

static void
input_added(struct watch *w, const char *event)
{
	struct ctx c = { .sysfs = w->sysfs };
	const struct vm_conf **owner = NULL, *vm;
	virDomainPtr dom;
	size_t k;
	char *desc;

	if (find_attached(w, event) || load_config(w, &c.cfg) < 0)
		return;
	if (input_scan(w->sysfs, dev_root(), &c.input) < 0) {
		log_at(LOG_WARNING, event, "skip", "input %s: %s", event, error_get());
		goto out;
	}
	for (k = 0; k < c.input.n && strcmp(c.input.v[k].event, event) != 0; k++)
		;
	if (k == c.input.n) {
		log_at(LOG_INFO, event, "skip", "input %s: gone again", event);
		goto out;
	}
	owner = xcalloc(c.input.n, sizeof(*owner));
	input_owners(&c.cfg, &c.input, owner);
	desc = input_describe(&c.input.v[k]);
	if ((vm = owner[k]) == NULL) {
		log_at(LOG_DEBUG, event, "skip", "input %s: no VM's input = rules select it", desc);
		goto out_desc;
	}
	log_domain(vm->name);
	if (!vm->hotplug) {
		log_at(LOG_INFO, event, "skip", "%s: input %s: a rule names it, but hotplug = no",
		    vm->name, desc);
	} else if ((dom = running(w, &c.cfg, vm->name)) == NULL) {
		log_at(LOG_INFO, event, "skip", "%s: input %s: the VM is not running", vm->name,
		    desc);
	} else {
		input_for_vm(w, &c, dom, vm->name, event);
		virt.virDomainFree(dom);
	}
	log_domain(NULL);
out_desc:
	free(desc);
out:
	free(owner);
	ctx_close(&c);	/* frees cfg and the input inventory */
}

/* A hot-plugged PCI device for vm: its group is checked exactly as at
 * start (hook_take, against the live definition), group mates are
 * detached and recorded, then what the live definition lacks is
 * attached, managed='yes' so libvirt binds it. */
static void
pci_for_vm(struct watch *w, struct config *cfg, const char *vm, const char *name)
{
	struct ctx c = { 0 };
	struct domxml x = { 0 };
	struct plan p = { 0 };
	virDomainPtr dom;
	char *live, *xml, as[PCI_ADDR_STRLEN];
	size_t i;

	if ((dom = running(w, cfg, vm)) == NULL) {
		log_at(LOG_INFO, name, "skip", "%s: pci %s: the VM is not running", vm, name);
		return;
	}
	live = virt.virDomainGetXMLDesc(dom, 0);
	if (live == NULL || domxml_parse(live, strlen(live), &x) < 0) {
		log_at(LOG_ERR, name, "skip", "%s: pci %s: cannot read the live definition: %s",
		    vm, name, live ? error_get() : virt_error());
		goto out;
	}
	c.cfg = *cfg;	/* borrowed: the caller frees it */
	if (hook_take(vm, &c, w->sysfs, w->state, &x, true, &p) != EXIT_START) {
		log_at(LOG_WARNING, name, "refuse", "%s: pci %s: not attached (see above)", vm, name);
		goto out;
	}
	for (i = 0; i < p.nadd; i++) {
		xml = domxml_pci_hostdev(&p.add[i]);
		pci_addr_fmt(&p.add[i], as);
		if (virt.virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
			log_at(LOG_ERR, as, "attach", "%s: pci %s: libvirt could not attach it: %s",
			    vm, as, virt_error());
		else
			log_at(LOG_INFO, as, "attach", "%s: pci %s attached", vm, as);
		free(xml);
	}
out:
	memset(&c.cfg, 0, sizeof(c.cfg));
	ctx_close(&c);
	plan_free(&p);
	domxml_free(&x);
	free(live);
	virt.virDomainFree(dom);
}

static void
pci_added(struct watch *w, const char *name)
{
	struct config cfg;
	struct ctx c = { 0 };
	const struct device *d;
	struct pci_addr a;
	bool named = false;
	size_t i, j;

	if (pci_addr_parse(name, &a, NULL) < 0 || load_config(w, &cfg) < 0)
		return;
	c.cfg = cfg;
	/* only the newcomer (and its group) in full: creating SR-IOV VFs
	 * sends one event per VF */
	if (ctx_scan(&c, w->sysfs, 0, &(struct scan_focus){ .addrs = &a, .naddrs = 1 }) < 0) {
		log_at(LOG_WARNING, name, "skip", "pci %s: %s", name, error_get());
		goto out;
	}
	if ((d = inv_find(&c.inv, &a)) == NULL) {
		log_at(LOG_INFO, name, "skip", "pci %s: gone again", name);
		goto out;
	}
	for (i = 0; i < cfg.nvms; i++) {
		const struct vm_conf *vm = &cfg.vms[i];

		for (j = 0; j < vm->npci && !match_device(&vm->pci[j].m, d); j++)
			;
		if (j == vm->npci)
			continue;
		named = true;
		log_domain(vm->name);
		if (vm->hotplug)
			pci_for_vm(w, &cfg, vm->name, name);
		else
			log_at(LOG_INFO, name, "skip", "%s: pci %s: rule line %d names it, but "
			    "hotplug = no", vm->name, name, vm->pci[j].line);
		log_domain(NULL);
	}
	if (!named) {
		char *desc = dev_describe(d);

		log_at(LOG_DEBUG, name, "skip", "pci %s: no pci = rule names it", desc);
		free(desc);
	}
out:
	ctx_close(&c);	/* frees cfg too */
}

static void
dispatch(struct watch *w, struct udev_device *dev)
{
	const char *action = udev_device_get_action(dev);
	const char *subsys = udev_device_get_subsystem(dev);
	const char *type = udev_device_get_devtype(dev);
	const char *name = udev_device_get_sysname(dev);

	if (action == NULL || subsys == NULL || name == NULL)
		return;
	if (strcmp(subsys, "usb") == 0 && type && strcmp(type, "usb_device") == 0) {
		if (strcmp(action, "add") == 0)
			usb_added(w, name);
		else if (strcmp(action, "remove") == 0)
			removed(w, name);
	} else if (strcmp(subsys, "input") == 0 && strncmp(name, "event", 5) == 0) {
		if (strcmp(action, "add") == 0)
			input_added(w, name);
		else if (strcmp(action, "remove") == 0)
			removed(w, name);
	} else if (strcmp(subsys, "pci") == 0) {
		if (strcmp(action, "add") == 0)
			pci_added(w, name);
		else if (strcmp(action, "remove") == 0)
			log_at(LOG_INFO, name, "gone", "pci %s removed", name);
	}
}

/* udevd's events, after its rules ran, when it runs; else the kernel's
 * own (containers, initramfs, the test VM): pthook reads sysfs itself. */
static struct udev_monitor *
monitor(struct udev *udev)
{
	const char *source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	struct udev_monitor *mon = udev_monitor_new_from_netlink(udev, source);

	if (mon == NULL || udev_monitor_filter_add_match_subsystem_devtype(mon, "usb",
	    "usb_device") < 0 || udev_monitor_filter_add_match_subsystem_devtype(mon,
	    "pci", NULL) < 0 || udev_monitor_filter_add_match_subsystem_devtype(mon,
	    "input", NULL) < 0 || udev_monitor_enable_receiving(mon) < 0) {
		if (mon)
			udev_monitor_unref(mon);
		error_set("cannot listen to %s device events: %s; run as root", source,
		    strerror(errno));
		return NULL;
	}
	log_msg(LOG_INFO, "watching USB, PCI and input devices (%s events)", source);
	return mon;
}

int
cmd_watch(struct opts *o)
{
	struct watch w = { .o = o, .sysfs = sysfs_root(o->sysfs), .state = state_dir(o->state_dir) };
	struct sigaction sa = { .sa_handler = on_signal };
	struct udev_monitor *mon;
	struct input_inventory in;
	struct usb_inventory inv;
	struct udev *udev;
	struct config cfg;
	size_t i;

	if (o->nargs) {
		msg("watch takes no arguments; see pthook watch --help");
		return EXIT_USAGE;
	}
	if (load_config(&w, &cfg) < 0) {
		msg("%s", error_get());
		return EXIT_USAGE;
	}
	config_free(&cfg);
	log_open(NULL, "watch", o->verbose > 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* a write to a libvirtd that restarted must fail, not kill us */
	signal(SIGPIPE, SIG_IGN);
	if ((udev = udev_new()) == NULL || (mon = monitor(udev)) == NULL) {
		msg("%s", udev ? error_get() : "cannot use libudev");
		if (udev)
			udev_unref(udev);
		return EXIT_HOST;
	}
	/* listening before the scan: a device plugged in between is seen */
	if (o->attach && usb_scan(w.sysfs, &inv) == 0) {
		for (i = 0; i < inv.n; i++)
			usb_added(&w, inv.v[i].port);
		usb_inv_free(&inv);
	}
	if (o->attach && input_scan(w.sysfs, dev_root(), &in) == 0) {
		for (i = 0; i < in.n; i++)
			input_added(&w, in.v[i].event);
		input_inv_free(&in);
	}
	while (!stopping) {
		struct pollfd p = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };
		struct udev_device *dev;

		if (poll(&p, 1, -1) <= 0)
			continue;	/* EINTR: a signal, checked above */
		if ((dev = udev_monitor_receive_device(mon)) != NULL) {
			dispatch(&w, dev);
			udev_device_unref(dev);
		}
	}
	log_msg(LOG_INFO, "stopping; devices stay where they are");
	for (i = 0; i < w.n; i++) {
		free(w.v[i].vm);
		free(w.v[i].xml);
	}
	free(w.v);
	if (w.conn)
		virt.virConnectClose(w.conn);
	udev_monitor_unref(mon);
	udev_unref(udev);
	return EXIT_START;
}
