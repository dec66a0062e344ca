/* pthook apply: rewrite the persistent libvirt definitions so that
 * their PCI hostdevs are what the config names on this host.  Fetch the
 * inactive XML, rewrite, diff, confirm, back up, define, read back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "detach.h"
#include "diff.h"
#include "domxml.h"
#include "sriov.h"
#include "sysfs.h"
#include "util.h"
#include "virt.h"

#define BACKUP_DIR "/var/lib/pthook/backup"

static int
mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int r = 0;

	for (s = p + 1; r == 0 && (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			r = -1;
		*s = '/';
	}
	if (r == 0 && mkdir(p, 0700) < 0 && errno != EEXIST)
		r = -1;
	free(p);
	return r;
}

/* The old definition, 0600, never over an existing file. */
static char *
backup(const char *dir, const char *vm, const char *xml)
{
	char stamp[32], *path = NULL;
	time_t now = time(NULL);
	size_t len = strlen(xml);
	int fd = -1, i;

	if (mkdirs(dir) < 0) {
		error_set("cannot create the backup directory %s: %s", dir, strerror(errno));
		return NULL;
	}
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	for (i = 0; fd < 0 && i < 100; i++) {
		free(path);
		path = i ? xasprintf("%s/%s-%s.%d.xml", dir, vm, stamp, i) :
		    xasprintf("%s/%s-%s.xml", dir, vm, stamp);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || write(fd, xml, len) != (ssize_t)len || fsync(fd) < 0) {
		error_set("cannot write the backup %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static int
write_debug_xml(const char *pattern, const char *vm, const char *xml)
{
	size_t n = strlen(pattern);
	bool ok = false;
	char *path;
	int fd, r = 0;
	FILE *f;

	if (n > 4 && strcmp(pattern + n - 4, ".xml") == 0)
		n -= 4;
	path = xasprintf("%.*s-%s.xml", (int)n, pattern, vm);
	/* the secure XML: graphics passwords; 0600 whatever the umask */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && fchmod(fd, 0600) == 0 && (f = fdopen(fd, "w")) != NULL) {
		fd = -1;
		ok = fputs(xml, f) != EOF;
		ok = fclose(f) == 0 && ok;
	}
	if (fd >= 0)
		close(fd);
	if (!ok) {
		msg("%s: cannot write %s: %s", vm, path, strerror(errno));
		r = -1;
	}
	free(path);
	return r;
}

/* -y, or the answer on a terminal: 1 go ahead; 0 declined and -1 no
 * terminal, both said, with the exit code in *rc. */
static int
agreed(const struct opts *o, const char *question, const char *vm, int *rc)
{
	char line[64];

	if (o->yes)
		return 1;
	if (!isatty(STDIN_FILENO)) {
		msg("%s: not changed: no terminal to confirm on; run with -y to apply", vm);
		*rc = EXIT_USAGE;
		return -1;
	}
	fprintf(stderr, "%s %s? [y/N] ", question, vm);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) &&
	    (strcmp(str_trim(line), "y") == 0 || strcmp(line, "yes") == 0))
		return 1;
	printf("%s: not changed\n", vm);
	*rc = EXIT_START;
	return 0;
}

/* After defining, read the definition back: libvirt may normalise the
 * XML, but the PCI hostdev set must be exactly the plan's. */
static int
verify(virDomainPtr dom, const struct plan *p)
{
	char *xml = virt.virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
	struct domxml x;
	size_t i, j;
	int r = 0;

	if (xml == NULL || domxml_parse(xml, strlen(xml), &x) < 0) {
		free(xml);
		return -1;
	}
	if (p->pci && x.n != p->assign.n)
		r = -1;
	for (i = 0; r == 0 && p->pci && i < x.n; i++) {
		for (j = 0; j < p->assign.n; j++)
			if (pci_addr_eq(&x.hostdevs[i].addr, &p->assign.v[j].dev->addr))
				break;
		if (j == p->assign.n)
			r = -1;
	}
	domxml_free(&x);
	free(xml);
	return r;
}

/* numvfs=: the definition needs the VFs' addresses, so apply creates
 * them first (asking, as for the definition) and reads the host again.
 * 1 when nothing was created and the caller should stop with rc. */
static int
make_vfs(const struct opts *o, struct ctx *c, const char *vm, struct plan *p, int *rc)
{
	struct deadline end;
	size_t i;

	for (i = 0; i < p->ncreates; i++)
		printf("%s: %ld VFs to create on %s (numvfs=%ld)\n", vm,
		    p->creates[i].rule->m.numvfs, p->creates[i].pf->addr_str,
		    p->creates[i].rule->m.numvfs);
	*rc = EXIT_START;
	if (o->dry_run) {
		printf("%s: not changed (--dry-run); the VFs are created, and the "
		    "definition shown, by apply without it\n", vm);
		return 1;
	}
	if (agreed(o, "Create the VFs for", vm, rc) < 1)
		return 1;
	deadline_in(&end, (c->cfg.timeout + RUN_SLACK_S) * 1000L);
	if (sriov_create(c->sysfs, p, &end) < 0) {
		msg("%s: not changed: %s", vm, error_get());
		*rc = EXIT_HOST;
		return 1;
	}
	plan_free(p);		/* it points into the inventory read again */
	ctx_drop_scan(c);
	if (ctx_scan(c, c->sysfs, SCAN_NAMES | SCAN_USB, NULL) < 0) {
		msg("%s: not changed: %s", vm, error_get());
		*rc = EXIT_HOST;
		return 1;
	}
	return 0;
}

static int
apply_vm(const struct opts *o, struct ctx *c, virConnectPtr conn, const char *vm)
{
	virDomainPtr dom = virt.virDomainLookupByName(conn, vm);
	char *xml = NULL, *old = NULL, *new = NULL, *saved = NULL, *label_old, *label_new;
	struct plan p = { 0 };
	struct usb_plan up = { 0 };
	struct input_plan ip = { 0 };
	struct domxml x = { 0 };
	int rc = EXIT_HOST;

	if (dom == NULL) {
		msg("%s: no such domain in libvirt: %s; define it first, or fix the "
		    "name in the config", vm, virt_error());
		return EXIT_HOST;
	}
	if ((xml = virt.virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE)) == NULL) {
		msg("%s: cannot read the definition: %s", vm, virt_error());
		goto out;
	}
	if (domxml_parse(xml, strlen(xml), &x) < 0) {
		msg("%s: %s", vm, error_get());
		goto out;
	}
	ctx_plan(c, vm, &x, NULL, &p);
	if (p.ncreates && p.errors.n == 0) {
		if (make_vfs(o, c, vm, &p, &rc))
			goto out;
		ctx_plan(c, vm, &x, NULL, &p);
	}
	if (o->verbose)
		strlist_print(stdout, &p.steps);
	if (p.errors.n) {
		strlist_print(stderr, &p.errors);
		msg("%s: not changed: the plan has errors", vm);
		rc = EXIT_REFUSED;
		goto out;
	}
	old = domxml_serialize(&x);
	domxml_rewrite(&x, &p);
	ctx_add_usb(c, vm, &x, &up);
	if (ctx_add_input(c, vm, &x, &ip) < 0) {
		msg("%s: not changed: %s", vm, error_get());
		goto out;
	}
	if (o->verbose) {
		strlist_print(stdout, &up.steps);
		strlist_print(stdout, &ip.steps);
	}
	strlist_print(stderr, &ip.warnings);
	if (ip.errors.n) {
		strlist_print(stderr, &ip.errors);
		msg("%s: not changed: the input rules have errors", vm);
		rc = EXIT_REFUSED;
		goto out;
	}
	new = domxml_serialize(&x);
	if (o->debug_xml && write_debug_xml(o->debug_xml, vm, new) < 0)
		goto out;
	if (strcmp(old, new) == 0) {
		printf("%s: definition is up to date\n", vm);
		rc = EXIT_START;
		goto out;
	}
	label_old = xasprintf("%s (libvirt)", vm);
	label_new = xasprintf("%s (pthook)", vm);
	diff_unified(stdout, old, new, label_old, label_new);
	free(label_old);
	free(label_new);
	fflush(stdout);
	if (o->dry_run) {
		printf("%s: not changed (--dry-run)\n", vm);
		rc = EXIT_START;
		goto out;
	}
	if (agreed(o, "Apply changes to", vm, &rc) < 1)
		goto out;
	if ((saved = backup(o->backup_dir ? o->backup_dir : BACKUP_DIR, vm, xml)) == NULL) {
		msg("%s: not changed: %s", vm, error_get());
		goto out;
	}
	virt.virDomainFree(dom);
	if ((dom = virt.virDomainDefineXML(conn, new)) == NULL) {
		msg("%s: libvirt refused the new definition: %s; the old one is unchanged "
		    "(copy in %s)", vm, virt_error(), saved);
		goto out;
	}
	if (verify(dom, &p) < 0) {
		msg("%s: defined, but reading it back shows other PCI hostdevs than "
		    "planned; restore with: virsh define %s", vm, saved);
		goto out;
	}
	printf("%s: defined; previous definition saved as %s\n", vm, saved);
	rc = EXIT_START;
out:
	if (dom)
		virt.virDomainFree(dom);
	free(xml);
	free(old);
	free(new);
	free(saved);
	plan_free(&p);
	usb_plan_free(&up);
	input_plan_free(&ip);
	domxml_free(&x);
	return rc;
}

int
cmd_apply(struct opts *o)
{
	virConnectPtr conn;
	struct ctx c;
	int rc, worst = 0, i, n;
	const char *uri;

	if (o->nargs) {
		msg("apply takes VMs as --vm NAME; unexpected '%s'", o->args[0]);
		return EXIT_USAGE;
	}
	if ((rc = ctx_open(&c, o, true, SCAN_NAMES | SCAN_USB)))
		return rc;
	if ((rc = ctx_check_vms(&c, o->vms, o->nvms))) {
		ctx_close(&c);
		return rc;
	}
	uri = o->connect ? o->connect : c.cfg.uri;
	if ((conn = virt_open(uri)) == NULL) {
		msg("%s", error_get());
		ctx_close(&c);
		return EXIT_HOST;
	}
	n = o->nvms ? o->nvms : (int)c.cfg.nvms;
	for (i = 0; i < n; i++) {
		rc = apply_vm(o, &c, conn, o->nvms ? o->vms[i] : c.cfg.vms[i].name);
		worst = rc > worst ? rc : worst;
	}
	virt.virConnectClose(conn);
	ctx_close(&c);
	return worst;
}
