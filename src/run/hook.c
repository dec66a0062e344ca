#include "hook.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "bounded.h"
#include "detach.h"
#include "domxml.h"
#include "handoff.h"
#include "heldby.h"
#include "log.h"
#include "openers.h"
#include "rebind.h"
#include "reset.h"
#include "sriov.h"
#include "state.h"
#include "sysfs.h"
#include "util.h"

/* Hook runs wait for each other at most this long: a run holds the
 * lock for at most one libvirt timeout and its sysfs moves (detach.h),
 * then perhaps a rollback through sysfs. */
static int
lock_wait(int timeout)
{
	return timeout + 3 * RUN_SLACK_S;
}

/* stderr (libvirt pastes it into the virsh error) and syslog. */
static void
say(const char *line)
{
	fprintf(stderr, "%s\n", line);
	log_msg(LOG_ERR, "%s", line);
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

/* The verdict (ctx_verdict); a running VM cannot take the console
 * over, and a hot-plug is no start: its inputs are not judged. */
static void
plan_vm(struct ctx *c, const char *vm, const struct domxml *x, const struct record *mine,
    const struct holders *h, bool live, struct plan *p)
{
	struct input_plan ip;
	char as[PCI_ADDR_STRLEN];

	ctx_verdict(c, vm, x, h, mine, p, live ? NULL : &ip);
	if (!live)
		input_plan_free(&ip);
	if (live && p->console)
		strlist_addf(&p->errors, "pthook: %s: %s is the host's console: a running VM "
		    "cannot take it over (console = handoff works at start); start the VM "
		    "with it", vm, pci_addr_fmt(&p->console->addr, as));
}

static struct taken *
taken_of(struct record *rec, const struct pci_addr *a)
{
	size_t i;

	for (i = 0; i < rec->n; i++)
		if (pci_addr_eq(&rec->v[i].addr, a))
			return &rec->v[i];
	return NULL;
}

/* The reset_method a rule's reset= replaced, put back; -1 when it
 * could not be (logged). */
static int
restore_reset(const char *vm, const char *sysfs, const struct taken *t)
{
	char as[PCI_ADDR_STRLEN];

	if (t->reset == NULL)
		return 0;
	pci_addr_fmt(&t->addr, as);
	if (reset_set(sysfs, &t->addr, t->reset) < 0) {
		log_dev(LOG_ERR, &t->addr, "reset", "%s: cannot restore reset_method %s of %s: %s",
		    vm, t->reset, as, error_get());
		return -1;
	}
	log_dev(LOG_INFO, &t->addr, "reset", "%s: reset_method of %s back to %s", vm,
	    as, t->reset);
	return 0;
}


/* reset= of the rules: read each device's own method into its entry
 * (before anything is written), or set the rule's (set).  0, or -1
 * with error_set(). */
static int
resets(const char *sysfs, const struct plan *p, struct record *rec, bool set)
{
	const struct planned_list *lists[2] = { &p->assign, &p->detach };
	size_t l, i;

	for (l = 0; l < 2; l++)
		for (i = 0; i < lists[l]->n; i++) {
			const struct planned *e = &lists[l]->v[i];
			struct taken *t = taken_of(rec, &e->dev->addr);

			if (e->rule == NULL || !(e->rule->m.keys & M_RESET) || t == NULL)
				continue;
			if (set ? reset_set(sysfs, &t->addr, e->rule->m.reset) < 0 :
			    t->reset == NULL && reset_get(sysfs, &t->addr, &t->reset) < 0)
				return -1;
		}
	return 0;
}

/* The line for a detach that failed (error_get()).  When the kernel's
 * unbind never returned, also who holds the device now (a process that
 * opened it after the check: its lines go to held), or else that the
 * driver itself is stuck. */
static char *
detach_why(const char *sysfs, const struct plan *p, const struct mover *m,
    const struct pci_addr *a, struct strlist *held)
{
	const struct planned_list *lists[2] = { &p->detach, &p->assign };
	const struct device *d = NULL;
	char as[PCI_ADDR_STRLEN], *err = xstrdup(error_get()), *why;
	size_t l, i;

	pci_addr_fmt(a, as);
	for (l = 0; m->stuck && d == NULL && l < 2; l++)
		for (i = 0; d == NULL && i < lists[l]->n; i++)
			if (pci_addr_eq(&lists[l]->v[i].dev->addr, a))
				d = lists[l]->v[i].dev;
	if (d)
		openers_of(sysfs, proc_root(NULL), dev_root(), d, HOLD_PROCS | HOLD_CONSOLE, held);
	why = xasprintf("cannot detach %s: %s; %s", as, err, !m->stuck ?
	    "nothing was left detached" : held->n ? "it is held, see below" :
	    "no process holds it: the driver is stuck (journalctl -k); a reboot frees it");
	free(err);
	return why;
}

/* Whether t's device is on the driver and override it had (a give-back
 * that failed may have had nothing to do: the detach never started). */
static bool
as_it_was(const char *sysfs, const struct taken *t)
{
	char *drv = NULL, *ov = NULL;
	bool same = rebind_driver(sysfs, &t->addr, &drv) == 0 &&
	    (drv == NULL ? t->driver == NULL : t->driver && strcmp(drv, t->driver) == 0);

	if (same && rebind_override(sysfs, &t->addr, &ov) == 0)
		same = ov == NULL ? t->override == NULL : t->override && strcmp(ov, t->override) == 0;
	free(drv);
	free(ov);
	return same;
}

/* Undo this run's detaches, newest first, and drop them from the
 * record.  With a time of its own: the run's may be spent, and what
 * was taken must come back. */
static void
roll_back(const struct mover *run, const char *sysfs, const char *state,
    struct record *rec, size_t keep)
{
	char as[PCI_ADDR_STRLEN];
	struct mover m;

	mover_init(&m, run->uri, run->driver, run->mode, run->timeout, proc_root(NULL));
	m.libvirt_gone |= run->libvirt_gone;
	/* what cannot be undone stays on record: status names it, and
	 * release tries again (found by the crash walk, issue #30) */
	for (size_t i = rec->n; i-- > keep;) {
		struct taken *t = &rec->v[i];
		bool undone = restore_reset(rec->vm, sysfs, t) == 0;

		if (!t->guest && reattach_device(&m, sysfs, &t->addr, t->driver, t->override) < 0 &&
		    !as_it_was(sysfs, t)) {
			log_dev(LOG_ERR, &t->addr, "rollback", "%s: rollback: %s",
			    pci_addr_fmt(&t->addr, as), error_get());
			undone = false;
		}
		if (undone)
			record_drop(rec, i);
	}
	if (state_write(state, rec) < 0)
		log_msg(LOG_ERR, "%s", error_get());
}

/* The record for this start: the guest's devices (held while it runs)
 * and what pthook detaches, each with the driver it had.  Entries of an
 * earlier prepare that never saw its release are kept. */
static int
detach_all(const char *vm, const struct config *cfg, const char *sysfs, const char *state,
    const struct plan *p, struct mover *m, struct record *rec)
{
	char as[PCI_ADDR_STRLEN], *why, *ov;
	size_t i, before = rec->n;

	for (i = 0; i < p->detach.n; i++) {
		const struct device *d = p->detach.v[i].dev;

		if (taken_of(rec, &d->addr) ||
		    (d->driver && strcmp(d->driver, cfg->driver) == 0))
			continue;
		if (rebind_override(sysfs, &d->addr, &ov) < 0) {
			fail(vm, error_get());
			record_truncate(rec, before);	/* nothing was touched yet */
			return EXIT_HOST;
		}
		record_add(rec, &d->addr, d->driver, ov);
		free(ov);
	}
	/* after the detach list: a managed='no' hostdev is both, and
	 * pthook gives back what it bound */
	for (i = 0; i < p->assign.n; i++)
		if (!taken_of(rec, &p->assign.v[i].dev->addr))
			record_add_guest(rec, &p->assign.v[i].dev->addr, p->assign.v[i].dev->driver);
	if (rec->n == before)
		return EXIT_START;
	if (resets(sysfs, p, rec, false) < 0) {
		fail(vm, error_get());
		record_truncate(rec, before);	/* nothing was touched yet */
		return EXIT_HOST;
	}
	/* Every device goes on record before the first one is touched. */
	if (state_write(state, rec) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	if (resets(sysfs, p, rec, true) < 0) {
		why = xasprintf("%s; nothing was left changed", error_get());
		fail(vm, why);
		free(why);
		roll_back(m, sysfs, state, rec, before);
		return EXIT_HOST;
	}
	for (i = before; i < rec->n; i++) {
		const struct taken *t = &rec->v[i];

		if (t->guest)
			continue;
		log_dev(LOG_INFO, &t->addr, "detach", "%s: prepare: detach %s from %s to %s", vm,
		    pci_addr_fmt(&t->addr, as), t->driver ? t->driver : "no driver", cfg->driver);
		if (detach_device(m, sysfs, &t->addr) < 0) {
			struct strlist held = { 0 };

			why = detach_why(sysfs, p, m, &t->addr, &held);
			fail(vm, why);
			for (size_t h = 0; h < held.n; h++)
				fail(vm, held.v[h]);
			strlist_free(&held);
			free(why);
			/* the failed one too: it may be half-way */
			roll_back(m, sysfs, state, rec, before);
			return EXIT_HOST;
		}
	}
	return EXIT_START;
}

/* What an earlier release's health check kept and is alive again
 * (removed and rescanned, it is a new device): off the record, to be
 * taken afresh.  What stays is dead: refuse_dead(). */
static void
drop_revived(const char *sysfs, struct record *mine)
{
	size_t i;

	for (i = mine->n; i-- > 0;)
		if (mine->v[i].kept && rebind_alive(sysfs, &mine->v[i].addr) != 0)
			record_drop(mine, i);
}

int
hook_take(const char *vm, struct ctx *c, const char *sysfs, const char *state,
    const struct domxml *x, bool live, struct plan *p)
{
	const struct config *cfg = &c->cfg;
	struct holders h = { 0 };
	struct record mine = { 0 };
	int lock, rc = EXIT_HOST;
	struct mover m;

	memset(p, 0, sizeof(*p));
	if ((lock = state_lock(state, lock_wait(cfg->timeout))) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	mover_init(&m, cfg->uri, cfg->driver, cfg->detach, cfg->timeout, proc_root(NULL));
	if (state_read(state, vm, &mine) < 0 || holders_load(state, vm, &h) < 0) {
		fail(vm, error_get());
		goto out;
	}
	drop_revived(sysfs, &mine);
	if (scan(c, sysfs, vm, x, &mine) < 0) {
		fail(vm, error_get());
		goto out;
	}
	plan_vm(c, vm, x, &mine, &h, live, p);
	/* numvfs=: the VFs a rule names are made, then the host is read
	 * again; a definition written when they last existed names them */
	if (!live && p->ncreates && p->errors.n == 0) {
		if (sriov_create(sysfs, p, &m.end) < 0) {
			fail(vm, error_get());
			goto out;
		}
		plan_free(p);
		ctx_drop_scan(c);
		if (scan(c, sysfs, vm, x, &mine) < 0) {
			fail(vm, error_get());
			goto out;
		}
		plan_vm(c, vm, x, &mine, &h, false, p);
	}
	if (p->errors.n || (!live && p->stale.n)) {
		say_all(&p->errors);
		if (!live)
			say_all(&p->stale);
		rc = EXIT_REFUSED;
		goto out;
	}
	/* how release gives back what this run takes: written with the
	 * first line that needs it (a console step or a device) */
	record_set_how(&mine, cfg->uri, cfg->driver, (int)cfg->detach, cfg->timeout, cfg->reattach);
	if (p->console && !live) {
		struct handoff ho;
		size_t keep = mine.console.n;

		handoff_find(sysfs, proc_root(NULL), p, &ho);
		rc = handoff_take(vm, sysfs, proc_root(NULL), dev_root(), state, &ho, &mine,
		    &m.end);
		handoff_free(&ho);
		if (rc != EXIT_START)
			goto out;
		if ((rc = detach_all(vm, cfg, sysfs, state, p, &m, &mine)) != EXIT_START) {
			handoff_undo(vm, sysfs, &mine, keep, &m.end);
			if (state_write(state, &mine) < 0)
				log_msg(LOG_ERR, "%s", error_get());
		}
		goto out;
	}
	rc = detach_all(vm, cfg, sysfs, state, p, &m, &mine);
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

static const char dead[] = "its config space reads ffff (it fell off the bus, or did "
    "not come back from its reset)";

/* Whether t came through the guest: why not (malloc'd), or NULL.  A
 * device that reads all ones is dead; one whose own driver, loaded,
 * did not bind it again is in a state that driver cannot handle. */
static char *
sick(const char *sysfs, const struct taken *t)
{
	char path[PATH_MAX], *now;

	if (rebind_alive(sysfs, &t->addr) == 0)
		return xstrdup(dead);
	if (t->driver == NULL || rebind_driver(sysfs, &t->addr, &now) < 0)
		return NULL;
	if (now) {
		free(now);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s", sysfs, t->driver);
	return access(path, F_OK) == 0 ? xasprintf("%s did not take it back", t->driver) : NULL;
}

/* The health check's verdict: t stays on the vfio driver, which never
 * touches the hardware on its own, rather than going to a host driver
 * that may crash the host on it; kept on record, shown by list. */
static void
keep_back(const char *vm, struct mover *m, const char *sysfs, const struct taken *t,
    const char *why, struct record *left)
{
	char as[PCI_ADDR_STRLEN], *line, *hint;

	hint = revive_hint(pci_addr_fmt(&t->addr, as));
	if (detach_device(m, sysfs, &t->addr) < 0)
		log_dev(LOG_ERR, &t->addr, "kept", "%s: release: %s", vm, error_get());
	line = xasprintf("%s: %s did not survive the guest: %s; kept on %s instead of %s; "
	    "%s, then pthook release %s", vm, as, why, m->driver,
	    t->driver ? t->driver : "no driver", hint, vm);
	fprintf(stderr, "pthook: %s\n", line);
	log_dev(LOG_CRIT, &t->addr, "kept", "%s", line);
	free(hint);
	free(line);
	record_add(left, &t->addr, t->driver, t->override);
	left->v[left->n - 1].kept = true;
}

/* A reset_method that could not be put back stays on record, with its
 * device, for the next release to try again. */
static void
keep_reset(struct record *left, const struct taken *t)
{
	struct taken *k = taken_of(left, &t->addr);

	if (k == NULL) {
		if (t->guest)
			record_add_guest(left, &t->addr, t->driver);
		else
			record_add(left, &t->addr, t->driver, t->override);
		k = &left->v[left->n - 1];
	}
	free(k->reset);
	k->reset = xstrdup(t->reset);
}

int
hook_release(const char *vm, int timeout, const char *sysfs, const char *state)
{
	struct record rec, left = { 0 };
	char as[PCI_ADDR_STRLEN], *why;
	int lock, rc = EXIT_START;
	struct mover m;
	size_t i;

	if ((lock = state_lock(state, lock_wait(timeout))) < 0) {
		fail(vm, error_get());
		return EXIT_HOST;
	}
	if (state_read(state, vm, &rec) < 0) {
		fail(vm, error_get());
		state_unlock(lock);
		return EXIT_HOST;
	}
	left.vm = xstrdup(vm);
	record_set_how(&left, rec.how.uri, rec.how.driver, rec.how.detach, rec.how.timeout,
	    rec.how.reattach);
	mover_init(&m, rec.how.uri, rec.how.driver, rec.how.detach, rec.how.timeout,
	    proc_root(NULL));
	for (i = rec.n; i-- > 0;) {
		const struct taken *t = &rec.v[i];
		const char *to = t->driver ? t->driver : "no driver";

		bool reset_kept = restore_reset(vm, sysfs, t) < 0;

		pci_addr_fmt(&t->addr, as);
		why = NULL;
		if (t->guest && t->driver && strcmp(t->driver, rec.how.driver) == 0) {
			/* on the vfio driver before libvirt took it (claimed
			 * early, or bound by hand): there again, whatever
			 * libvirt's reattach made of it */
			if (rebind_alive(sysfs, &t->addr) == 0) {
				why = xstrdup(dead);
				keep_back(vm, &m, sysfs, t, why, &left);
			} else if (detach_device(&m, sysfs, &t->addr) < 0) {
				why = xasprintf("cannot put %s back on %s, where it was before the "
				    "VM: %s", as, to, error_get());
				fail(vm, why);
			} else {
				log_dev(LOG_INFO, &t->addr, "reattach", "%s: release: %s back on %s, "
				    "where it was before the VM", vm, as, to);
			}
		} else if (t->guest) {
			/* libvirt gave those back itself, before this hook */
			if ((why = sick(sysfs, t)) != NULL)
				keep_back(vm, &m, sysfs, t, why, &left);
		} else if (!rec.how.reattach) {
			log_dev(LOG_INFO, &t->addr, "keep", "%s: release: %s stays on %s "
			    "(reattach = no)", vm, as, rec.how.driver);
		} else if (rebind_alive(sysfs, &t->addr) == 0) {
			why = xstrdup(dead);
			keep_back(vm, &m, sysfs, t, why, &left);
		} else {
			log_dev(LOG_INFO, &t->addr, "reattach", "%s: release: give %s back to %s",
			    vm, as, to);
			if (reattach_device(&m, sysfs, &t->addr, t->driver, t->override) < 0) {
				if ((why = sick(sysfs, t)) != NULL) {
					keep_back(vm, &m, sysfs, t, why, &left);
				} else {
					why = xasprintf("cannot give %s back to %s: %s", as, to,
					    error_get());
					fail(vm, why);
					record_add(&left, &t->addr, t->driver, t->override);
				}
			}
		}
		if (reset_kept)
			keep_reset(&left, t);
		if (why || reset_kept)
			rc = EXIT_HOST;
		free(why);
	}
	/* the console last: the GPU is back on its driver by now */
	if (handoff_undo(vm, sysfs, &rec, 0, &m.end) < 0) {
		for (i = 0; i < rec.console.n; i++)
			strlist_add(&left.console, xstrdup(rec.console.v[i]));
		rc = EXIT_HOST;
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
rewrite(const char *vm, const char *op, struct ctx *c, const char *sysfs)
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
	/* the definition comes with the guest: its inputs are libvirt's */
	ctx_verdict(c, vm, &x, NULL, NULL, &p, NULL);
	plan_keep_abi(&p, op);
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

static bool
is(const char *op, const char *sub, const char *want_op, const char *want_sub)
{
	return strcmp(op, want_op) == 0 && strcmp(sub, want_sub) == 0;
}

/* Only a start may be refused (SPEC §5): a failing reconnect or attach
 * makes libvirt kill the running guest, a failing started aborts a
 * start that prepare let through.  Everything else logs and exits 0. */
int
hook_main(char **argv, struct config *cfg)
{
	const char *vm = argv[1], *op = argv[2], *sub = argv[3];
	const char *sysfs = sysfs_root(NULL), *state = state_dir(NULL);
	bool starts = is(op, sub, "prepare", "begin") || is(op, sub, "migrate", "begin") ||
	    is(op, sub, "restore", "begin");
	const char *problem = config_problem(cfg, vm);
	struct ctx c = { .cfg = *cfg };
	int rc = EXIT_START;

	log_open(vm, op, false);
	if (is(op, sub, "release", "end")) {
		/* from the record alone: also for a VM the config no longer
		 * names, or names in a file that broke meanwhile */
		if (state_has(state, vm))
			hook_release(vm, cfg->timeout, sysfs, state);
	} else if (problem && starts) {
		fail(vm, problem);
		rc = EXIT_USAGE;
	} else if (problem) {
		log_msg(LOG_WARNING, "%s: %s %s: %s; the config blocks only starts", vm, op,
		    sub, problem);
	} else if (config_vm(cfg, vm) == NULL) {
		;	/* not ours */
	} else if (is(op, sub, "prepare", "begin")) {
		rc = prepare(vm, &c, sysfs, state);
	} else if (starts) {
		rc = rewrite(vm, op, &c, sysfs);
	}
	ctx_close(&c);
	return rc;
}
