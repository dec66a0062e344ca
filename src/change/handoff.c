#include "handoff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "command.h"

/* A socket listening on port 22 in PROC/net/tcp or tcp6 (socket
 * activation: no sshd runs until someone connects). */
static bool
ssh_listens(const char *proc)
{
	static const char *const files[] = { "net/tcp", "net/tcp6" };
	char path[PATH_MAX], line[512];
	unsigned port, st;
	bool found = false;
	size_t i;
	FILE *f;

	for (i = 0; !found && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", proc, files[i]);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), f))
			found = sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x",
			    &port, &st) == 2 && port == 22 && st == 0x0a;
		fclose(f);
	}
	return found;
}

static bool
serial_name(const char *tty)
{
	static const char *const lines[] = { "ttyS", "ttyAMA", "ttyUSB", "ttyACM", "hvc" };
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(*lines); i++)
		if (strncmp(tty, lines[i], strlen(lines[i])) == 0)
			return true;
	return false;
}

/* Whether pid is on a serial line: what its fd 0 is (systemd >= 250
 * starts serial-getty@ with the port on stdin and '-' for it in the
 * arguments), else its controlling tty (PROC/PID/stat's tty_nr, the
 * kernel's major and minor: 4 from minor 64 the 8250 ports, 204 ttyAMA,
 * 188 ttyUSB, 166 ttyACM, 229 hvc).  Never its arguments, which any
 * process can set. */
static bool
on_serial(const char *proc, const char *pid)
{
	char path[PATH_MAX], buf[1024], *p;
	unsigned long nr, major, minor;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "%s/%s/fd/0", proc, pid);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strncmp(buf, "/dev/", 5) == 0 && serial_name(buf + 5))
			return true;
	}
	snprintf(path, sizeof(path), "%s/%s/stat", proc, pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp session tty_nr": comm may hold ')' */
	if ((p = strrchr(buf, ')')) == NULL)
		return false;
	for (i = 0; i < 5 && p; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %lu", &nr) != 1)
		return false;
	major = (nr >> 8) & 0xfff;
	minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
	return (major == 4 && minor >= 64) || major == 204 || major == 188 || major == 166 ||
	    major == 229;
}

struct way_in {
	const char *proc;
	bool found;
};

/* Whether pid is an sshd or a getty on a serial line. */
static bool
way_in(const char *pid, void *arg)
{
	struct way_in *w = arg;
	char comm[64];

	w->found = openers_comm(w->proc, pid, comm, sizeof(comm)) &&
	    (strcmp(comm, "sshd") == 0 || (strstr(comm, "getty") && on_serial(w->proc, pid)));
	return w->found;
}

/* NULL when the host can be reached without its console. */
static char *
no_way_in(const char *proc)
{
	struct way_in w = { proc, ssh_listens(proc) };

	if (!w.found)
		openers_each_process(proc, way_in, &w);
	if (w.found)
		return NULL;
	return xstrdup("pthook sees no other way into the host once its console goes: no "
	    "sshd (no process, nothing listening on port 22) and no getty on a serial line");
}

void
handoff_find(const char *sysfs, const char *proc, const struct plan *p, struct handoff *h)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->gpu = p->console;
	h->units = &p->conf->units;
	openers_console(sysfs, proc, h->gpu, &h->con);
	if (h->con.bootfb[0])
		openers_platform_fbs(sysfs, &h->fbs);
	h->no_way_in = no_way_in(proc);
	for (i = 0; i < p->assign.n; i++)
		if (p->assign.v[i].dev == h->gpu && p->assign.v[i].rule)
			h->force = p->assign.v[i].rule->m.keys & M_FORCE;
}

void
handoff_free(struct handoff *h)
{
	strlist_free(&h->fbs);
	free(h->no_way_in);
	memset(h, 0, sizeof(*h));
}

void
handoff_explain(const struct handoff *h, struct plan *p)
{
	const char *vm = p->vm, *a = h->gpu->addr_str;
	size_t i;

	for (i = 0; i < h->units->n; i++)
		strlist_addf(&p->steps, "%s: handoff: stop %s if it runs (started again on "
		    "release)", vm, h->units->v[i]);
	strlist_addf(&p->steps, "%s: handoff: then nothing may hold %s (a holder refuses the "
	    "start, and what was stopped starts again)", vm, a);
	for (i = 0; i < h->con.nvts; i++)
		strlist_addf(&p->steps, "%s: handoff: unbind fbcon from vtcon%d, the console on "
		    "%s of %s (bound again on release)", vm, h->con.vts[i], h->con.fb, a);
	for (i = 0; i < h->fbs.n; i++) {
		const char *dev = strchr(h->fbs.v[i], ' ') + 1;

		strlist_addf(&p->steps, "%s: handoff: unbind the firmware framebuffer %s from "
		    "%.*s (%s in BAR %d of %s; bound again on release)", vm, dev,
		    (int)(dev - 1 - h->fbs.v[i]), h->fbs.v[i], h->con.bootfb, h->con.bar, a);
	}
	if (h->con.bootfb[0] && h->fbs.n == 0)
		strlist_addf(&p->errors, "pthook: %s: %s is held by the boot framebuffer (%s in "
		    "BAR %d), and no efi-framebuffer, vesa-framebuffer or simple-framebuffer "
		    "device is bound to let it go; boot with video=efifb:off", vm, a,
		    h->con.bootfb, h->con.bar);
	if (h->no_way_in && !h->force)
		strlist_addf(&p->errors, "pthook: %s: the handoff takes %s, the host's console: "
		    "%s; start sshd or a serial getty, or add 'force' to its rule", vm, a,
		    h->no_way_in);
	else if (h->no_way_in)
		strlist_addf(&p->warnings, "pthook: %s: warning: the handoff takes %s, the host's "
		    "console, and %s (force)", vm, a, h->no_way_in);
}

/* One step ("unit NAME", "vtcon N", "fb DRIVER DEVICE"), done or undone. */
struct step {
	const char *sysfs, *line;
	bool undo;
	bool probe;	/* unit: only ask whether it runs */
};

/* fbcon's vtconsole now: vt when it still is, else the one that is.
 * The numbers are the order console drivers registered in, and fbcon
 * goes away with the last framebuffer (the GPU's driver unbound) and
 * comes back with the next. */
static int
fbcon_vt(const char *sysfs, int vt)
{
	int vts[CONSOLE_VTS];
	size_t i, n = openers_fbcon(sysfs, false, vts, CONSOLE_VTS);

	for (i = 0; i < n; i++)
		if (vts[i] == vt)
			return vt;
	return n ? vts[0] : vt;
}

static bool
vt_bound(const char *sysfs, int vt)
{
	char path[PATH_MAX], b[8];
	int fd, n;

	snprintf(path, sizeof(path), "%s/class/vtconsole/vtcon%d", sysfs, vt);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return false;
	n = read_small(fd, "bind", b, sizeof(b));
	close(fd);
	return n > 0 && b[0] == '1';
}

/* The last part of the symlink at path into out; false when none. */
static bool
link_base(const char *path, char *out, size_t size)
{
	char link[PATH_MAX], *b;
	ssize_t l;

	if ((l = readlink(path, link, sizeof(link) - 1)) <= 0)
		return false;
	link[l] = '\0';
	b = strrchr(link, '/');
	return snprintf(out, size, "%s", b ? b + 1 : link) < (int)size;
}

/* The PCI function (addr) and driver (drv) of the lowest framebuffer a
 * PCI device's driver made; false when there is none. */
static bool
fb_device(const char *sysfs, char *addr, size_t asize, char *drv, size_t dsize)
{
	char path[PATH_MAX], a[64];
	struct dirent *e;
	int n, best = -1;
	DIR *d;

	snprintf(path, sizeof(path), "%s/class/graphics", sysfs);
	if ((d = opendir(path)) == NULL)
		return false;
	while ((e = readdir(d)) != NULL) {
		if (sscanf(e->d_name, "fb%d", &n) != 1 || (best >= 0 && n > best))
			continue;
		snprintf(path, sizeof(path), "%s/class/graphics/%s/device", sysfs, e->d_name);
		if (!link_base(path, a, sizeof(a)))
			continue;
		snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver", sysfs, a);
		if (!link_base(path, drv, dsize))
			continue;
		snprintf(addr, asize, "%s", a);
		best = n;
	}
	closedir(d);
	return best >= 0;
}

/* fbcon takes consoles back when bind is written, but only from the
 * system console driver (vt.c, vt_bind(): the consoles mapped to the
 * first console driver registered without CON_DRIVER_FLAG_MODULE).
 * Where the other one is flagged a module's too (Debian's 6.1 in a
 * guest with no VGA text console: vtcon0 "(M) frame buffer device",
 * vtcon1 "(M) dummy device"), the write succeeds and does nothing, and
 * fbcon comes back only as a framebuffer registers
 * (fbcon_fb_registered()): so, when the bind did not hold, the PCI
 * device of the first framebuffer is probed again by its driver, as it
 * is when libvirt gives a GPU back.  The real-kernel tier's crash walk
 * found the console left dark by a handoff undone before the GPU left
 * its driver. */
static int
fbcon_back(const char *sysfs, int vt)
{
	char addr[64], drv[64], path[PATH_MAX];
	int i;

	if (vt_bound(sysfs, vt))
		return 0;
	if (!fb_device(sysfs, addr, sizeof(addr), drv, sizeof(drv)) ||
	    strcmp(drv, "vfio-pci") == 0 || strcmp(drv, "pci-stub") == 0) {
		error_set("fbcon did not take vtcon%d back (this kernel rebinds it only as a "
		    "framebuffer registers; it will when the GPU's driver binds it)", vt);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/unbind", sysfs, drv);
	if (write_small(path, addr) < 0)
		return -1;
	/* a bind that fails leaves it unbound: let the kernel probe it */
	snprintf(path, sizeof(path), "%s/bus/pci/drivers/%s/bind", sysfs, drv);
	if (write_small(path, addr) < 0) {
		snprintf(path, sizeof(path), "%s/bus/pci/drivers_probe", sysfs);
		if (write_small(path, addr) < 0)
			return -1;
	}
	for (i = 0; i < 40 && !vt_bound(sysfs, vt); i++)
		usleep(50 * 1000);
	if (!vt_bound(sysfs, vt)) {
		error_set("fbcon did not take vtcon%d back, nor when %s bound %s again", vt,
		    drv, addr);
		return -1;
	}
	log_msg(LOG_INFO, "handoff: fbcon took vtcon%d back as %s bound %s again", vt, drv,
	    addr);
	return 0;
}

/* In the bounded child: the kernel or systemd may take their time. */
static int
step_run(void *arg)
{
	const struct step *s = arg;
	char path[PATH_MAX], drv[64], dev[128];
	int vt;

	if (strncmp(s->line, "unit ", 5) == 0)
		return s->probe ? systemctl("is-active", s->line + 5, true) :
		    systemctl(s->undo ? "start" : "stop", s->line + 5, false);
	if (sscanf(s->line, "vtcon %d", &vt) == 1) {
		if (s->undo)
			vt = fbcon_vt(s->sysfs, vt);
		snprintf(path, sizeof(path), "%s/class/vtconsole/vtcon%d/bind", s->sysfs, vt);
		if (write_small(path, s->undo ? "1" : "0") < 0)
			return -1;
		return s->undo ? fbcon_back(s->sysfs, vt) : 0;
	}
	if (sscanf(s->line, "fb %63s %127s", drv, dev) == 2) {
		snprintf(path, sizeof(path), "%s/bus/platform/drivers/%s/%s", s->sysfs, drv,
		    s->undo ? "bind" : "unbind");
		return write_small(path, dev);
	}
	error_set("state: unknown console step '%s'", s->line);
	return -1;
}

static int
step(const char *sysfs, const char *line, bool undo, bool probe, const struct deadline *end)
{
	struct step s = { sysfs, line, undo, probe };

	return bounded_call(end, line, step_run, &s);
}

int
handoff_undo(const char *vm, const char *sysfs, struct record *rec, size_t keep,
    const struct deadline *end)
{
	struct strlist failed = { 0 };
	struct deadline own;
	size_t i;

	/* with time of its own: the run's may be spent, and the user must
	 * get the console back */
	deadline_in(&own, 30 * 1000L);
	if (end && deadline_left_ms(end) > deadline_left_ms(&own))
		own = *end;
	while (rec->console.n > keep) {
		char *line = rec->console.v[--rec->console.n];

		if (step(sysfs, line, true, false, &own) == 0) {
			log_msg(LOG_INFO, "%s: handoff: undone: %s", vm, line);
			free(line);
		} else if (strncmp(line, "fb ", 3) == 0) {
			/* the firmware framebuffer's memory is the GPU
			 * driver's once that has bound: its bind may fail
			 * then, and fbcon is back on the GPU's own */
			log_msg(LOG_WARNING, "%s: handoff: cannot undo '%s': %s", vm, line,
			    error_get());
			free(line);
		} else {
			fprintf(stderr, "pthook: %s: handoff: cannot undo '%s': %s; it stays on "
			    "record and the next release tries again\n", vm, line, error_get());
			log_msg(LOG_ERR, "%s: handoff: cannot undo '%s': %s", vm, line, error_get());
			strlist_add(&failed, line);
		}
	}
	/* back in the order they were done */
	for (i = failed.n; i > 0; i--)
		strlist_add(&rec->console, failed.v[i - 1]);
	free(failed.v);
	return failed.n ? -1 : 0;
}

/* Put line on record, then do it.  0, or -1 having said why. */
static int
record_and_do(const char *vm, const char *sysfs, const char *state, const char *line,
    struct record *rec, const struct deadline *end)
{
	strlist_add(&rec->console, xstrdup(line));
	if (state_write(state, rec) < 0) {
		fprintf(stderr, "pthook: %s: %s\n", vm, error_get());
		return -1;
	}
	log_msg(LOG_INFO, "%s: prepare: handoff: %s", vm, line);
	if (step(sysfs, line, false, false, end) < 0) {
		fprintf(stderr, "pthook: %s: handoff: %s; what was done is undone\n", vm,
		    error_get());
		log_msg(LOG_ERR, "%s: handoff: %s failed: %s", vm, line, error_get());
		return -1;
	}
	return 0;
}

static int
record_and_do_all(const char *vm, const char *sysfs, const char *state,
    const struct strlist *lines, struct record *rec, const struct deadline *end)
{
	size_t i;

	for (i = 0; i < lines->n; i++)
		if (record_and_do(vm, sysfs, state, lines->v[i], rec, end) < 0)
			return -1;
	return 0;
}

int
handoff_take(const char *vm, const char *sysfs, const char *proc, const char *dev,
    const char *state, const struct handoff *h, struct record *rec,
    const struct deadline *end)
{
	struct strlist stop = { 0 }, unbind = { 0 }, held = { 0 };
	size_t keep = rec->console.n, i;
	int rc = EXIT_HOST;

	/* a unit that does not run is not started on release either */
	for (i = 0; i < h->units->n; i++) {
		strlist_addf(&stop, "unit %s", h->units->v[i]);
		if (step(sysfs, stop.v[stop.n - 1], false, true, end) < 0)
			free(stop.v[--stop.n]);
	}
	for (i = 0; i < h->con.nvts; i++)
		strlist_addf(&unbind, "vtcon %d", h->con.vts[i]);
	for (i = 0; i < h->fbs.n; i++)
		strlist_addf(&unbind, "fb %s", h->fbs.v[i]);
	if (record_and_do_all(vm, sysfs, state, &stop, rec, end) < 0)
		goto undo;
	if (openers_of(sysfs, proc, dev, h->gpu, HOLD_PROCS, &held) > 0) {
		for (i = 0; i < held.n; i++)
			fprintf(stderr, "pthook: %s: %s\n", vm, held.v[i]);
		fprintf(stderr, "pthook: %s: the handoff is undone: what was stopped starts "
		    "again\n", vm);
		rc = EXIT_REFUSED;
		goto undo;
	}
	if (record_and_do_all(vm, sysfs, state, &unbind, rec, end) < 0)
		goto undo;
	rc = EXIT_START;
	goto out;
undo:
	handoff_undo(vm, sysfs, rec, keep, end);
	if (state_write(state, rec) < 0)
		log_msg(LOG_ERR, "%s", error_get());
out:
	strlist_free(&stop);
	strlist_free(&unbind);
	strlist_free(&held);
	return rc;
}
