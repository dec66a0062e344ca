/* pthook --simulate FILE|- [--op OP]: the hook's dry run.  stdout: the
 * rewritten domain XML (or, with --json, the plan); stderr: the plan
 * and a unified diff.  Exit code as the hook's would be. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diff.h"
#include "domxml.h"
#include "heldby.h"
#include "json.h"
#include "sysfs.h"
#include "util.h"

static void
json_addrs(const char *key, const struct pci_addr *v, size_t n)
{
	char a[PCI_ADDR_STRLEN];
	size_t i;

	printf(", \"%s\": [", key);
	for (i = 0; i < n; i++)
		printf("%s\"%s\"", i ? ", " : "", pci_addr_fmt(&v[i], a));
	printf("]");
}

/* pairs of remove and add that are one element rewritten in place */
static void
json_moves(const struct plan *p)
{
	char a[PCI_ADDR_STRLEN], b[PCI_ADDR_STRLEN];
	size_t i;

	printf(", \"move\": [");
	for (i = 0; i < p->nmoves; i++)
		printf("%s{\"from\": \"%s\", \"to\": \"%s\"}", i ? ", " : "",
		    pci_addr_fmt(&p->moves[i].from, a), pci_addr_fmt(&p->moves[i].to, b));
	printf("]");
}

static void
json_planned(const char *key, const struct planned_list *l)
{
	size_t i;

	printf(", \"%s\": [", key);
	for (i = 0; i < l->n; i++)
		printf("%s\"%s\"", i ? ", " : "", l->v[i].dev->addr_str);
	printf("]");
}

static void
json_usb(const struct usb_plan *up)
{
	size_t i;

	printf(", \"usb_add\": [");
	for (i = 0; i < up->n; i++)
		printf("%s\"%s\"", i ? ", " : "", up->v[i].dev->port);
	printf("]");
}

/* input_add: the event nodes given to the guest; input_rewrite: the
 * sources rewritten in place */
static void
json_input(const struct input_plan *ip)
{
	char *src;
	size_t i;

	printf(", \"input_add\": [");
	for (i = 0; i < ip->nadd; i++)
		printf("%s\"%s\"", i ? ", " : "", ip->add[i]->dev->event);
	printf("], \"input_rewrite\": [");
	for (i = 0; i < ip->nrewrite; i++) {
		src = input_source(ip->rewrite[i].to);
		printf("%s{\"to\": ", i ? ", " : "");
		json_str(stdout, src);
		printf("}");
		free(src);
	}
	printf("]");
}

static void
print_json(const char *vm, const struct plan *p, const struct usb_plan *up,
    const struct input_plan *ip, bool refuse, const char *xml)
{
	static const struct planned_list none;

	printf("{\"vm\": ");
	json_str(stdout, vm);
	printf(", \"configured\": %s, \"verdict\": \"%s\"", p->configured ? "true" : "false",
	    refuse ? "refuse" : "start");
	json_planned("assign", p->configured ? &p->assign : &none);
	json_planned("detach", &p->detach);
	json_addrs("add", p->add, p->nadd);
	json_addrs("remove", p->remove, p->nremove);
	json_moves(p);
	json_usb(up);
	json_input(ip);
	json_lines(stdout, "errors", &p->errors, &p->stale);
	json_lines(stdout, "warnings", &p->warnings, NULL);
	json_field(stdout, "xml", xml);
	printf("}\n");
}

int
cmd_simulate(struct opts *o)
{
	const char *op = o->op ? o->op : "prepare";
	bool rewrites = !strcmp(op, "prepare") || !strcmp(op, "migrate") || !strcmp(op, "restore");
	struct ctx c = { 0 };
	struct domxml x;
	struct plan p = { 0 };
	struct usb_plan up = { 0 };
	struct input_plan ip = { 0 };
	struct holders h = { 0 };
	char *buf, *old = NULL, *new = NULL;
	bool named, explicit_, refuse = false;
	const char *problem, *path;
	size_t len;
	int rc;

	if (o->nargs) {
		msg("--simulate takes one file; extra argument '%s'", o->args[0]);
		return EXIT_USAGE;
	}
	if ((buf = read_file(o->simulate, DOMXML_MAX, &len)) == NULL) {
		msg("%s", error_get());
		return EXIT_USAGE;
	}
	rc = domxml_parse(buf, len, &x);
	if (rc < 0) {
		msg("%s: %s", o->simulate, error_get());
		free(buf);
		return EXIT_USAGE;
	}
	/* as the hook reads it: only what concerns this domain blocks it */
	path = config_path(o->config, &explicit_);
	config_load(path, explicit_, &c.cfg);
	if ((problem = config_problem(&c.cfg, x.name)) != NULL) {
		msg("%s: %s", x.name, problem);
		config_free(&c.cfg);
		domxml_free(&x);
		free(buf);
		return EXIT_USAGE;
	}
	named = config_vm(&c.cfg, x.name) != NULL;
	old = named && rewrites ? domxml_serialize(&x) : xstrdup(buf);
	if (named && rewrites) {
		if (ctx_scan_vm(&c, sysfs_root(o->sysfs), SCAN_NAMES | SCAN_USB, x.name, &x,
		    NULL) < 0) {
			msg("%s: %s", x.name, error_get());
			rc = EXIT_HOST;
			goto out;
		}
		/* the hook's verdict (SPEC §7), over what it reads */
		if (holders_load(state_dir(o->state_dir), "", &h) < 0) {
			msg("%s: %s", x.name, error_get());
			rc = EXIT_HOST;
			goto out;
		}
		if (!strcmp(op, "prepare")) {
			ctx_verdict(&c, x.name, &x, &h, holders_record(&h, x.name), &p, &ip);
		} else {
			ctx_verdict(&c, x.name, &x, NULL, NULL, &p, NULL);
			plan_keep_abi(&p, op);
		}
		domxml_rewrite(&x, &p);
		/* the xml is what apply would define (SPEC §4); the hook's own
		 * migrate/restore rewrite leaves USB and inputs alone */
		if (!strcmp(op, "prepare")) {
			ctx_add_usb(&c, x.name, &x, &up);
			domxml_input(&x, &ip);
		}
		refuse = p.errors.n > 0 || (!strcmp(op, "prepare") && p.stale.n > 0);
	} else {
		p.vm = x.name;
		if (!named)
			fprintf(stderr, "pthook: %s: not in %s; the hook lets it start untouched\n",
			    x.name, c.cfg.path);
	}
	/* a domain pthook leaves alone is echoed byte for byte (SPEC §4) */
	new = named && rewrites ? domxml_serialize(&x) : xstrdup(buf);
	if (o->json) {
		print_json(x.name, &p, &up, &ip, refuse, new);
	} else {
		fputs(new, stdout);
		strlist_print(stderr, &p.steps);
		strlist_print(stderr, &up.steps);
		strlist_print(stderr, &p.warnings);
		strlist_print(stderr, &p.errors);
		strlist_print(stderr, &p.stale);
		diff_unified(stderr, old, new, "domain XML (given)", "domain XML (pthook)");
	}
	rc = refuse ? EXIT_REFUSED : EXIT_START;
out:
	free(buf);
	free(old);
	free(new);
	plan_free(&p);
	usb_plan_free(&up);
	input_plan_free(&ip);
	holders_free(&h);
	domxml_free(&x);
	ctx_close(&c);
	return rc;
}
