#include "hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "detach.h"
#include "domxml.h"
#include "heldby.h"
#include "log.h"
#include "rebind.h"
#include "state.h"
#include "sysfs.h"
#include "util.h"

/* Hook runs wait for each other at most this long: each holds the
 * lock for a few bounded libvirt calls and sysfs writes. */
static int
lock_wait(const struct config *cfg)
{
	return 4 * cfg->timeout + 10;
}

/* stderr (libvirt pastes it into the virsh error) and syslog. */
static void
say(const char *line)
{
	fprintf(stderr, "%s\n", line);
	log_msg(LOG_ERR, "%s", strncmp(line, "pthook: ", 8) ? line : line + 8);
}

static void
say_all(const struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		say(l->v[i]);
}

static void
fail(const char *vm, const char *what)
{
	char *line = xasprintf("pthook: %s: %s", vm, what);

	say(line);
	free(line);
}

static int
read_domain(const char *vm, struct domxml *x)
{
	size_t len;
	char *buf = read_file("-", DOMXML_MAX, &len);
	int r;

	if (buf == NULL) {
		fail(vm, error_get());
		return -1;
	}
	r = domxml_parse(buf, len, x);
	free(buf);
	if (r < 0)
		fail(vm, error_get());
	return r;
}

/* The inventory, with what pthook itself moved shown under the driver
 * it had: a `driver=` rule names the device, not pthook's doing. */
static int
scan(struct ctx *c, const char *sysfs, const char *vm, const struct domxml *x,
    const struct record *mine)
{
	size_t i;

	if (ctx_scan_vm(c, sysfs, 0, vm, x, mine) < 0)
		return -1;
	for (i = 0; i < mine->n; i++) {
		struct device *d = (struct device *)inv_find(&c->inv, &mine->v[i].addr);

		if (d && !mine->v[i].guest && d->orig_driver == NULL)
			d->orig_driver = xstrdup(mine->v[i].driver ? mine->v[i].driver : "none");
	}
	return 0;
}

/* The plan, with pci.ids names only when a person will read it: a
 * refusal (a stale definition refuses only a start).  A start that goes
 * through never loads the ids file. */
static void
plan_vm(struct ctx *c, const char *sysfs, const char *vm, const struct domxml *x,
    const struct holders *h, bool stale_refuses, struct plan *p)
{
	ctx_plan(c, vm, x, h, p);
	if ((p->errors.n || (stale_refuses && p->stale.n)) &&
	    inv_lookup(sysfs, SCAN_NAMES, &c->inv) == 0) {
		plan_free(p);
		ctx_plan(c, vm, x, h, p);
	}
}

static bool
recorded(const struct record *r, const struct pci_addr *a)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (pci_addr_eq(&r->v[i].addr, a))
			return true;
	return false;
}

/* Undo this run's detaches, newest first, and drop them from the record. */
static void
roll_back(const struct config *cfg, const char *sysfs, const char *state,
    struct record *rec, size_t keep)
{
	char as[PCI_ADDR_STRLEN];

	while (rec->n > keep) {
		struct taken *t = &rec->v[rec->n - 1];

		if (!t->guest && reattach_device(cfg, sysfs, &t->addr, t->driver) < 0)
			log_dev(LOG_ERR, &t->addr, "rollback", "%s: rollback: %s",
			    pci_addr_fmt(&t->addr, as), error_get());
		free(t->driver);
		rec->n--;
	}
	if (state_write(state, rec) < 0)
		log_msg(LOG_ERR, "%s", error_get());
}

/* The record for this start: the guest's devices (held while it runs)
 * and what pthook detaches, each with the driver it had.  Entries of an
 * earlier prepare that never saw its release are kept. */
static int
detach_all(const char *vm, const struct config *cfg, const char *sysfs, const char *state,
    const struct plan *p, struct record *rec)
{
	char as[PCI_ADDR_STRLEN], *why;
	size_t i, before = rec->n;

	for (i = 0; i < p->detach.n; i++) {
		const struct device *d = p->detach.v[i].dev;

		if (!recorded(rec, &d->addr) &&
		    (d->driver == NULL || strcmp(d->driver, cfg->driver) != 0))
			record_add(rec, &d->addr, d->driver);
	}
	/* after the detach list: a managed='no' hostdev is both, and
	 * pthook gives back what it bound */
	for (i = 0; i < p->assign.n; i++)
		if (!recorded(rec, &p->assign.v[i].dev->addr))
			record_add_guest(rec, &p->assign.v[i].dev->addr);
	if (rec->n == before)
		return EXIT_START;
	/* Every device goes on record before the first one is touched. */
	if (state_write(state, rec) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	for (i = before; i < rec->n; i++) {
		const struct taken *t = &rec->v[i];

		if (t->guest)
			continue;
		log_dev(LOG_INFO, &t->addr, "detach", "%s: prepare: detach %s from %s to %s", vm,
		    pci_addr_fmt(&t->addr, as), t->driver ? t->driver : "no driver", cfg->driver);
		if (detach_device(cfg, sysfs, &t->addr) < 0) {
			why = xasprintf("cannot detach %s: %s; nothing was left detached",
			    as, error_get());
			fail(vm, why);
			free(why);
			/* the failed one too: it may be half-way */
			roll_back(cfg, sysfs, state, rec, before);
			return EXIT_HOST;
		}
	}
	return EXIT_START;
}

int
hook_take(const char *vm, struct ctx *c, const char *sysfs, const char *state,
    const struct domxml *x, bool live, struct plan *p)
{
	struct holders h = { 0 };
	struct record mine = { 0 };
	int lock, rc = EXIT_HOST;

	memset(p, 0, sizeof(*p));
	if ((lock = state_lock(state, lock_wait(&c->cfg))) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	if (state_read(state, vm, &mine) < 0 || holders_load(state, vm, &h) < 0 ||
	    scan(c, sysfs, vm, x, &mine) < 0) {
		fail(vm, error_get());
		goto out;
	}
	plan_vm(c, sysfs, vm, x, &h, !live, p);
	if (p->errors.n || (!live && p->stale.n)) {
		say_all(&p->errors);
		if (!live)
			say_all(&p->stale);
		rc = EXIT_REFUSED;
		goto out;
	}
	rc = detach_all(vm, &c->cfg, sysfs, state, p, &mine);
out:
	holders_free(&h);
	record_free(&mine);
	state_unlock(lock);
	return rc;
}

static int
prepare(const char *vm, struct ctx *c, const char *sysfs, const char *state)
{
	struct plan p;
	struct domxml x;
	int rc;

	if (read_domain(vm, &x) < 0)
		return EXIT_USAGE;
	rc = hook_take(vm, c, sysfs, state, &x, false, &p);
	if (rc == EXIT_START)
		log_msg(LOG_INFO, "%s: prepare: %zu device(s) for the guest, %zu detached by pthook",
		    vm, p.assign.n, p.detach.n);
	plan_free(&p);
	domxml_free(&x);
	return rc;
}

int
hook_release(const char *vm, const struct config *cfg, const char *sysfs, const char *state)
{
	struct record rec, left = { 0 };
	char as[PCI_ADDR_STRLEN], *why;
	int lock, rc = EXIT_START;
	size_t i;

	if ((lock = state_lock(state, lock_wait(cfg))) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	if (state_read(state, vm, &rec) < 0) {
		fail(vm, error_get());
		state_unlock(lock);
		return EXIT_HOST;
	}
	left.vm = xstrdup(vm);
	for (i = rec.n; i-- > 0;) {
		const struct taken *t = &rec.v[i];

		if (t->guest)
			continue;	/* libvirt gives those back itself */
		pci_addr_fmt(&t->addr, as);
		if (!cfg->reattach) {
			log_dev(LOG_INFO, &t->addr, "keep", "%s: release: %s stays on %s "
			    "(reattach = no)", vm, as, cfg->driver);
			continue;
		}
		log_dev(LOG_INFO, &t->addr, "reattach", "%s: release: give %s back to %s", vm, as,
		    t->driver ? t->driver : "no driver");
		if (reattach_device(cfg, sysfs, &t->addr, t->driver) < 0) {
			why = xasprintf("cannot give %s back to %s: %s", as,
			    t->driver ? t->driver : "no driver", error_get());
			fail(vm, why);
			free(why);
			record_add(&left, &t->addr, t->driver);
			rc = EXIT_HOST;
		}
	}
	if (state_write(state, &left) < 0) {
		fail(vm, error_get());
		rc = EXIT_HOST;
	}
	record_free(&rec);
	record_free(&left);
	state_unlock(lock);
	return rc;
}

/* migrate begin / restore begin: the XML for this host's addresses. */
static int
rewrite(const char *vm, struct ctx *c, const char *sysfs)
{
	struct plan p = { 0 };
	struct domxml x;
	char *out;
	int rc = EXIT_REFUSED;

	if (read_domain(vm, &x) < 0)
		return EXIT_USAGE;
	if (ctx_scan_vm(c, sysfs, 0, vm, &x, NULL) < 0) {
		fail(vm, error_get());
		domxml_free(&x);
		return EXIT_HOST;
	}
	plan_vm(c, sysfs, vm, &x, NULL, false, &p);
	if (p.errors.n == 0) {
		domxml_rewrite(&x, &p);
		out = domxml_serialize(&x);
		fputs(out, stdout);
		free(out);
		rc = EXIT_START;
	}
	say_all(&p.errors);
	plan_free(&p);
	domxml_free(&x);
	return rc;
}

int
hook_main(char **argv)
{
	const char *vm = argv[1], *op = argv[2], *sub = argv[3];
	const char *sysfs = sysfs_root(NULL), *state = state_dir(NULL);
	struct ctx c = { 0 };
	bool named;
	int rc;

	log_open(vm, op, false);
	if ((rc = config_for_vm(NULL, vm, &c.cfg, &named)) != 0)
		return rc;
	if (strcmp(op, "release") == 0 && strcmp(sub, "end") == 0) {
		/* also for a VM the config no longer names: what pthook took
		 * for it must come back */
		rc = state_has(state, vm) ? hook_release(vm, &c.cfg, sysfs, state) : EXIT_START;
	} else if (!named) {
		rc = EXIT_START;	/* the fast path: not ours */
	} else if (strcmp(op, "prepare") == 0 && strcmp(sub, "begin") == 0) {
		rc = prepare(vm, &c, sysfs, state);
	} else if ((strcmp(op, "migrate") == 0 || strcmp(op, "restore") == 0) &&
	    strcmp(sub, "begin") == 0) {
		rc = rewrite(vm, &c, sysfs);
	} else {
		rc = EXIT_START;
	}
	ctx_close(&c);
	return rc;
}
