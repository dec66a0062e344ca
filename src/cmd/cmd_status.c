/* pthook status [VM...]: what pthook holds right now, from its state
 * records and libvirt's run dir (which domains run), with the driver
 * each device is on now.  Exit 1 when something is left over: a record
 * of a domain that no longer runs, or a device the health check kept
 * back, so monitoring can alert on it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "heldby.h"
#include "json.h"
#include "rebind.h"
#include "state.h"
#include "sysfs.h"
#include "util.h"

struct vm_status {
	const char *name;
	bool configured, running;
	const struct record *rec;	/* NULL: holds nothing */
};

static struct vm_status *
find(struct vm_status *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Each VM the records, the config or the command line names, once. */
static struct vm_status *
collect(const struct opts *o, const struct config *cfg, const struct record *recs,
    size_t nrecs, size_t *n)
{
	struct vm_status *v = NULL, *s;
	size_t i, cap = 0;

	*n = 0;
	for (i = 0; i < nrecs; i++)
		if (vm_wanted(recs[i].vm, o->args, o->nargs)) {
			s = PUSH(v, *n, cap);
			*s = (struct vm_status){ recs[i].vm, false, false, &recs[i] };
		}
	for (i = 0; i < cfg->nvms; i++)
		if (vm_wanted(cfg->vms[i].name, o->args, o->nargs) && find(v, *n, cfg->vms[i].name) == NULL) {
			s = PUSH(v, *n, cap);
			*s = (struct vm_status){ cfg->vms[i].name, false, false, NULL };
		}
	for (i = 0; i < (size_t)o->nargs; i++)
		if (find(v, *n, o->args[i]) == NULL) {
			s = PUSH(v, *n, cap);
			*s = (struct vm_status){ o->args[i], false, false, NULL };
		}
	for (i = 0; i < *n; i++) {
		v[i].configured = config_vm(cfg, v[i].name) != NULL;
		v[i].running = domain_running(v[i].name);
	}
	return v;
}

static bool
left_over(const struct vm_status *s)
{
	size_t i;

	if (s->rec == NULL)
		return false;
	if (s->rec->partial)
		return true;
	if (!s->running && (s->rec->n || s->rec->console.n))
		return true;
	for (i = 0; i < s->rec->n; i++)
		if (s->rec->v[i].kept)
			return true;
	return false;
}

/* The driver t is on now: "vfio-pci", "no driver", or "gone". */
static char *
now_on(const char *sysfs, const struct taken *t)
{
	char *drv;

	if (rebind_driver(sysfs, &t->addr, &drv) < 0)
		return xstrdup("gone");
	return drv ? drv : xstrdup("no driver");
}

/* What a console step did, as a sentence (state.h: record.console). */
static char *
console_step(const char *line)
{
	char drv[64], dev[128];
	int vt;

	if (strncmp(line, "unit ", 5) == 0)
		return xasprintf("stopped %s (started again on release)", line + 5);
	if (sscanf(line, "vtcon %d", &vt) == 1)
		return xasprintf("unbound fbcon from vtcon%d", vt);
	if (sscanf(line, "fb %63s %127s", drv, dev) == 2)
		return xasprintf("unbound the firmware framebuffer %s from %s", dev, drv);
	return xstrdup(line);
}

static void
text_vm(const char *sysfs, const struct vm_status *s)
{
	const struct record *r = s->rec;
	char as[PCI_ADDR_STRLEN], *now, *step;
	size_t i;

	printf("%s: %s", s->name, s->running ? "running" : "not running");
	if (!s->configured)
		printf(" (no [vm] section)");
	/* watch's USB lines go with the domain: only while it runs */
	if (r && r->partial)
		printf("; HALF-WRITTEN record (a run was killed while writing it; what it "
		    "held was not done yet): pthook release %s removes it", s->name);
	if (r == NULL || (r->n == 0 && r->console.n == 0 && (!s->running || r->usb.n == 0))) {
		printf(r && r->partial ? "\n" : "; pthook holds nothing for it\n");
		return;
	}
	if (!s->running)
		printf("; LEFT OVER: pthook release %s gives them back", s->name);
	putchar('\n');
	for (i = 0; i < r->n; i++) {
		const struct taken *t = &r->v[i];

		now = now_on(sysfs, t);
		pci_addr_fmt(&t->addr, as);
		if (t->kept)
			printf("  %s  KEPT on %s: it did not survive the guest; remove and rescan "
			    "it (or reboot), then pthook release %s\n", as, now, s->name);
		else if (t->guest)
			printf("  %s  the guest's (libvirt gives it back to %s), now on %s\n", as,
			    t->driver ? t->driver : "no driver", now);
		else
			printf("  %s  detached by pthook, goes back to %s, now on %s\n", as,
			    t->driver ? t->driver : "no driver", now);
		free(now);
	}
	for (i = 0; i < r->console.n; i++) {
		step = console_step(r->console.v[i]);
		printf("  console: %s\n", step);
		free(step);
	}
	for (i = 0; s->running && i < r->usb.n; i++)
		printf("  usb %s  attached by pthook watch\n", r->usb.v[i]);
}

static void
json_vm(const char *sysfs, const struct vm_status *s, bool first)
{
	const struct record *r = s->rec;
	char as[PCI_ADDR_STRLEN], *now, *release;
	size_t i, n = r ? r->n : 0, nc = r ? r->console.n : 0;

	printf("%s\n  {\"name\": ", first ? "" : ",");
	json_str(stdout, s->name);
	printf(", \"configured\": %s, \"running\": %s, \"leftover\": %s, \"partial\": %s, "
	    "\"devices\": [", s->configured ? "true" : "false", s->running ? "true" : "false",
	    left_over(s) ? "true" : "false", r && r->partial ? "true" : "false");
	for (i = 0; i < n; i++) {
		const struct taken *t = &r->v[i];

		now = now_on(sysfs, t);
		printf("%s{\"address\": \"%s\", \"by\": \"%s\", \"driver\": ", i ? ", " : "",
		    pci_addr_fmt(&t->addr, as), t->guest ? "guest" : "pthook");
		json_str(stdout, t->driver);
		json_field(stdout, "now", now);
		printf(", \"kept\": %s}", t->kept ? "true" : "false");
		free(now);
	}
	printf("], \"console\": [");
	for (i = 0; i < nc; i++) {
		printf("%s", i ? ", " : "");
		json_str(stdout, r->console.v[i]);
	}
	printf("], \"usb\": [");
	for (i = 0; s->running && r && i < r->usb.n; i++) {
		printf("%s", i ? ", " : "");
		json_str(stdout, r->usb.v[i]);
	}
	release = left_over(s) ? xasprintf("pthook release %s", s->name) : NULL;
	printf("], \"release\": ");
	json_str(stdout, release);
	printf("}");
	free(release);
}

int
cmd_status(struct opts *o)
{
	const char *sysfs = sysfs_root(o->sysfs);
	struct vm_status *v;
	struct record *recs = NULL;
	struct config cfg;
	bool explicit_, left = false;
	const char *path = config_path(o->config, &explicit_);
	size_t nrecs = 0, n, i;

	/* what is held is on record; the config only adds the VMs that
	 * hold nothing, and may have broken meanwhile */
	if (config_load(path, explicit_, &cfg) < 0 && cfg.present)
		msg("warning: %s; showing the state records alone", error_get());
	if (state_read_all(state_dir(o->state_dir), NULL, &recs, &nrecs) < 0) {
		msg("%s", error_get());
		config_free(&cfg);
		return EXIT_HOST;
	}
	v = collect(o, &cfg, recs, nrecs, &n);
	if (o->json)
		printf("{\"vms\": [");
	for (i = 0; i < n; i++) {
		left |= left_over(&v[i]);
		if (o->json)
			json_vm(sysfs, &v[i], i == 0);
		else
			text_vm(sysfs, &v[i]);
	}
	if (o->json)
		printf("%s], \"leftover\": %s}\n", n ? "\n" : "", left ? "true" : "false");
	else if (n == 0)
		printf("pthook holds nothing and the config names no VM\n");
	free(v);
	for (i = 0; i < nrecs; i++)
		record_free(&recs[i]);
	free(recs);
	config_free(&cfg);
	return left ? EXIT_REFUSED : EXIT_START;
}
