/* pthook check --install: is pthook where libvirt runs it, as this
 * pthook, and seen by the running daemon?  One line per finding, each
 * with its fix.  The hook's place is hook/place's (SPEC §1): HOOKS/qemu,
 * or HOOKS/qemu.d/pthook beside a qemu hook of the user's. */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "check_install.h"
#include "openers.h"
#include "state.h"
#include "sysfs.h"
#include "command.h"
#include "util.h"

#define WHAT "@(#)pthook "
#define PLACE PTHOOK_LIBDIR "/place install /usr/sbin/pthook"

void
finding(struct findings *f, bool error, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	msg("%s: %s%s", f->what, error ? "" : "warning: ", s ? s : fmt);
	free(s);
	if (error)
		f->errors++;
	else
		f->warnings++;
}

/* The pthook version a file's what(1) string names ("0.1"); NULL: it is
 * not pthook's. */
static char *
version_of(const char *path)
{
	size_t len, i, n = strlen(WHAT);
	char *buf = read_file(path, 64u << 20, &len), *v = NULL;

	for (i = 0; buf && i + n < len && v == NULL; i++)
		if (memcmp(buf + i, WHAT, n) == 0) {
			size_t k = i + n;

			while (k < len && buf[k] > ' ' && buf[k] < 0x7f)
				k++;
			v = xstrndup(buf + i + n, k - i - n);
		}
	free(buf);
	return v;
}

static bool
same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = read_file(a, 64u << 20, &la), *y = read_file(b, 64u << 20, &lb);
	bool same = x && y && la == lb && memcmp(x, y, la) == 0;

	free(x);
	free(y);
	return same;
}

/* The daemon that runs QEMU hooks: virtqemud, else libvirtd; its start
 * as a time (PROC/PID/stat's starttime after PROC/stat's btime). */
struct daemon {
	const char *proc;
	char name[64], pid[16];
	time_t started;
};

/* When process pid started: field 22 of its stat, in clock ticks
 * after boot (PROC/stat's btime).  The command (field 2) may hold
 * spaces: count from its ')'. */
static time_t
started_at(const char *proc, const char *pid)
{
	unsigned long long ticks = 0, btime = 0;
	char *path = xasprintf("%s/%s/stat", proc, pid), *p, *q;
	size_t len;
	int field;

	if ((p = read_file(path, 4096, &len)) != NULL && (q = strrchr(p, ')')) != NULL) {
		for (field = 2; *q && field < 22; q++)
			field += *q == ' ';
		ticks = strtoull(q, NULL, 10);
	}
	free(p);
	free(path);
	path = xasprintf("%s/stat", proc);
	if ((p = read_file(path, 1 << 20, &len)) != NULL && (q = strstr(p, "\nbtime ")) != NULL)
		btime = strtoull(q + 7, NULL, 10);
	free(p);
	free(path);
	return (time_t)(btime + ticks / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static bool
daemon_of(const char *pid, void *arg)
{
	struct daemon *d = arg;
	char comm[64];

	if (!openers_comm(d->proc, pid, comm, sizeof(comm)) ||
	    (strcmp(comm, "virtqemud") != 0 && strcmp(comm, "libvirtd") != 0))
		return false;
	snprintf(d->name, sizeof(d->name), "%s", comm);
	snprintf(d->pid, sizeof(d->pid), "%s", pid);
	d->started = started_at(d->proc, pid);
	return strcmp(comm, "virtqemud") == 0;	/* the modular daemon runs QEMU's hooks */
}

/* Where the hook is, or an error finding and NULL. */
static char *
find_hook(struct findings *f, const char *hooks)
{
	char *qemu = xasprintf("%s/qemu", hooks), *dot = xasprintf("%s/qemu.d/pthook", hooks);
	char *v1 = version_of(qemu), *v2 = version_of(dot), *hook = NULL;
	struct stat st;

	if (v1 && v2)
		finding(f, true, "pthook is both %s and %s: libvirt runs it twice for every "
		    "event; rm %s", qemu, dot, dot);
	if (v1)
		hook = xstrdup(qemu);
	else if (v2)
		hook = xstrdup(dot);
	else if (lstat(dot, &st) == 0)
		finding(f, true, "%s is not pthook's; move it away, then %s %s", dot, PLACE, hooks);
	else if (lstat(qemu, &st) == 0)
		finding(f, true, "%s is a hook of yours and pthook is not in %s; %s %s puts it "
		    "there (libvirt runs both)", qemu, dot, PLACE, hooks);
	else
		finding(f, true, "no hook in %s: libvirt never runs pthook; %s %s (or ./install.sh)",
		    hooks, PLACE, hooks);
	free(v1);
	free(v2);
	free(qemu);
	free(dot);
	return hook;
}

static void
check_file(struct findings *f, const char *hook, const char *hooks)
{
	char self[PATH_MAX], *v = version_of(hook);
	struct stat st;
	ssize_t n;

	if (lstat(hook, &st) < 0)
		return;
	if (S_ISLNK(st.st_mode))
		finding(f, true, "%s is a symlink: AppArmor lets libvirt run hooks only from "
		    "/etc/libvirt/hooks/**; make it a copy: %s %s", hook, PLACE, hooks);
	else if ((st.st_mode & 0111) != 0111)
		finding(f, true, "%s is not executable (mode %04o): libvirt skips it; chmod 755 %s",
		    hook, (unsigned)(st.st_mode & 07777), hook);
	if (st.st_uid != 0 || (st.st_mode & 022))
		finding(f, true, "%s is not root's or is writable by others (mode %04o), and "
		    "libvirt runs it as root: chown root:root %s && chmod 755 %s", hook,
		    (unsigned)(st.st_mode & 07777), hook, hook);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if (!same_file(hook, self))
			finding(f, true, "%s is pthook %s, not a copy of this pthook (%s, %s): it "
			    "runs against this one's core; update it: %s %s", hook, v ? v : "?",
			    PTHOOK_VERSION, self, PLACE, hooks);
	}
	free(v);
}

/* libvirt looks for hooks when it starts and on SIGHUP: a hook that
 * appeared after that is never run.  Only the file's time can say. */
static void
check_daemon(struct findings *f, const char *hook)
{
	struct daemon d = { proc_root(NULL), "", "", 0 };
	struct stat st;
	char when[32];

	openers_each_process(d.proc, daemon_of, &d);
	if (d.name[0] == '\0') {
		finding(f, false, "neither virtqemud nor libvirtd runs: it looks for the hook "
		    "when it starts");
		return;
	}
	if (hook == NULL || stat(hook, &st) < 0 || st.st_mtime <= d.started)
		return;
	strftime(when, sizeof(when), "%F %T", localtime(&d.started));
	finding(f, false, "%s is newer than %s (pid %s, started %s): if it was first put there "
	    "since, libvirt does not run it until told: systemctl reload %s", hook, d.name, d.pid,
	    when, d.name);
}

static void
check_files(struct findings *f, const struct config *cfg, const char *state)
{
	struct stat st;

	if (!cfg->present)
		finding(f, false, "no config at %s: pthook lets every start through; see "
		    "man 5 pthook.ini", cfg->path);
	else if (cfg->unsafe)
		finding(f, true, "%s", cfg->unsafe);
	else if (cfg->nerrors)
		finding(f, true, "%s has %zu error%s, blocking the VMs they concern: pthook check",
		    cfg->path, cfg->nerrors, cfg->nerrors == 1 ? "" : "s");
	if (lstat(state, &st) == 0 && (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 022)))
		finding(f, true, "%s is not a directory of root's writable by root alone (mode "
		    "%04o): the hook refuses every start it holds devices for; chown root:root "
		    "%s && chmod 700 %s", state, (unsigned)(st.st_mode & 07777), state, state);
}

/* AppArmor: libvirtd's profile runs hooks from /etc/libvirt/hooks/...
 * and maps libraries from /usr/lib; SELinux: the hook must carry the
 * label its directory gives new files. */
static void
check_lsm(struct findings *f, const char *sysfs, const char *hook, const char *hooks)
{
	char path[PATH_MAX], buf[8], a[256], b[256];
	ssize_t la, lb;

	snprintf(path, sizeof(path), "%s/module/apparmor/parameters/enabled", sysfs);
	if (read_small(AT_FDCWD, path, buf, sizeof(buf)) > 0 && buf[0] == 'Y' &&
	    strncmp(PTHOOK_LIBDIR, "/usr/lib/", 9) != 0)
		finding(f, true, "AppArmor is on and libvirtd's profile maps libraries from "
		    "/usr/lib, not %s/pthook-core.so: reinstall with the default --prefix /usr",
		    PTHOOK_LIBDIR);
	snprintf(path, sizeof(path), "%s/fs/selinux/enforce", sysfs);
	if (read_small(AT_FDCWD, path, buf, sizeof(buf)) <= 0 || buf[0] != '1' || hook == NULL)
		return;
	la = getxattr(hook, "security.selinux", a, sizeof(a) - 1);
	lb = getxattr(hooks, "security.selinux", b, sizeof(b) - 1);
	if (la > 0 && lb > 0 && (la != lb || memcmp(a, b, (size_t)la) != 0)) {
		a[la] = b[lb] = '\0';
		finding(f, true, "SELinux enforces and %s is labelled %s, not as %s (%s): "
		    "restorecon -v %s", hook, a, hooks, b, hook);
	}
}

static void
check_watch(struct findings *f, const struct config *cfg)
{
	const char *vm = NULL;
	size_t i;

	for (i = 0; i < cfg->nvms && vm == NULL; i++)
		if (cfg->vms[i].hotplug)
			vm = cfg->vms[i].name;
	if (vm == NULL)
		return;
	if (systemctl("is-enabled", "pthook-watch.service", true) < 0)
		finding(f, true, "%s has hotplug = yes but pthook-watch.service is not enabled: "
		    "nothing attaches its devices; systemctl enable --now pthook-watch", vm);
	else if (systemctl("is-active", "pthook-watch.service", true) < 0)
		finding(f, true, "%s has hotplug = yes but pthook-watch.service does not run: "
		    "systemctl start pthook-watch (journalctl -u pthook-watch says why it stopped)",
		    vm);
}

/* early = yes needs udev to run pthook claim (etc/60-pthook.rules). */
static void
check_udev(struct findings *f, const struct config *cfg)
{
	const char *env = getenv("PTHOOK_UDEV_RULES");
	const char *rules = env && *env ? env : PTHOOK_UDEVDIR "/60-pthook.rules";
	size_t i;

	for (i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].early && access(rules, F_OK) < 0) {
			finding(f, true, "%s has early = yes but %s is missing: nothing claims its "
			    "devices at boot; reinstall pthook (make install puts it there)",
			    cfg->vms[i].name, rules);
			return;
		}
}

int
check_install(const struct opts *o, const struct config *cfg)
{
	const char *hooks = hooks_root();
	struct findings f = { "install", 0, 0 };
	char *hook = find_hook(&f, hooks);

	if (hook)
		check_file(&f, hook, hooks);
	check_daemon(&f, hook);
	check_files(&f, cfg, state_dir(o->state_dir));
	check_lsm(&f, sysfs_root(o->sysfs), hook, hooks);
	check_watch(&f, cfg);
	check_udev(&f, cfg);
	printf("install: %s%s; %d problem%s, %d warning%s\n", hook ? "hook " : "no hook",
	    hook ? hook : "", f.errors, f.errors == 1 ? "" : "s", f.warnings,
	    f.warnings == 1 ? "" : "s");
	free(hook);
	return f.errors;
}
