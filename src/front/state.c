#include "state.h"

#include <dirent.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

#define SUFFIX ".state"

const char *
state_dir(const char *opt)
{
	const char *env = getenv("PTHOOK_STATE_DIR");

	if (opt && *opt)
		return opt;
	return env && *env ? env : STATE_DEFAULT;
}

/* Domain names become file names: keep [A-Za-z0-9._-], escape the rest
 * (and a leading dot) as %XX, so no name can leave the directory.  A name
 * too long for a file name keeps its first part and gains a hash of the
 * whole, after a '~' that escaping never produces; the record holds the
 * whole name (escaped the same way, on its "domain" line). */
static char *
escape(const char *vm, bool whole)
{
	char *enc = xmalloc(strlen(vm) * 3 + 1), *p = enc;
	const unsigned char *c;
	uint64_t h = 14695981039346656037ull;

	for (c = (const unsigned char *)vm; *c; c++) {
		h = (h ^ *c) * 1099511628211ull;	/* FNV-1a */
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
		    (*c == '.' && c != (const unsigned char *)vm))
			*p++ = (char)*c;
		else
			p += sprintf(p, "%%%02X", *c);
	}
	*p = '\0';
	if (!whole && p - enc > 200)
		sprintf(enc + 150, "~%016llx", (unsigned long long)h);
	return enc;
}

static char *
file_of(const char *dir, const char *vm)
{
	char *enc = escape(vm, false), *path = xasprintf("%s/%s%s", dir, enc, SUFFIX);

	free(enc);
	return path;
}

static char *unescape(const char *s, size_t len);

static int
check_dir(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			error_set("state: cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
		if (lstat(dir, &st) < 0) {
			error_set("state: %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		error_set("state: %s is %s, not a directory; remove it", dir,
		    S_ISLNK(st.st_mode) ? "a symlink" : "something else");
		return -1;
	}
	/* 0755 from a tmpfiles.d entry is fine: the records name devices,
	 * nothing secret; what matters is that nobody else can write them */
	if (geteuid() == 0 && (st.st_uid != 0 || (st.st_mode & 022))) {
		error_set("state: %s must be root's and writable by nobody else (it is uid "
		    "%u, mode %04o); chown root %s && chmod go-w %s", dir, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 07777), dir, dir);
		return -1;
	}
	return 0;
}

int
state_lock(const char *dir, int wait_s)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	char *path;
	int fd, i;

	if (check_dir(dir) < 0)
		return -1;
	path = xasprintf("%s/lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		error_set("state: cannot open %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	/* Other hook runs hold the lock only for bounded work; waiting
	 * longer than that means something is stuck, and a hook must
	 * never hang libvirt. */
	for (i = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK || i >= wait_s * 50) {
			error_set("state: %s is held by another pthook for over %d s; "
			    "see 'journalctl -t pthook'", path, wait_s);
			close(fd);
			free(path);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	free(path);
	return fd;
}

void
state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static const char *const detach_names[] = {
	[DETACH_AUTO] = "auto", [DETACH_LIBVIRT] = "libvirt", [DETACH_SYSFS] = "sysfs",
};

void
record_set_how(struct record *r, const char *uri, const char *driver, int detach,
    int timeout, bool reattach)
{
	free(r->how.uri);
	free(r->how.driver);
	r->how.uri = xstrdup(uri);
	r->how.driver = xstrdup(driver);
	r->how.detach = detach;
	r->how.timeout = timeout;
	r->how.reattach = reattach;
}

void
record_add(struct record *r, const struct pci_addr *a, const char *driver,
    const char *override)
{
	struct taken *t = PUSH(r->v, r->n, r->cap);

	t->addr = *a;
	t->driver = driver ? xstrdup(driver) : NULL;
	t->override = override ? xstrdup(override) : NULL;
	t->guest = false;
	t->reset = NULL;
	t->kept = false;
}

void
record_add_guest(struct record *r, const struct pci_addr *a, const char *driver)
{
	record_add(r, a, driver, NULL);
	r->v[r->n - 1].guest = true;
}

static void
taken_free(struct taken *t)
{
	free(t->driver);
	free(t->override);
	free(t->reset);
}

void
record_truncate(struct record *r, size_t n)
{
	while (r->n > n)
		taken_free(&r->v[--r->n]);
}

void
record_drop(struct record *r, size_t i)
{
	taken_free(&r->v[i]);
	memmove(&r->v[i], &r->v[i + 1], (--r->n - i) * sizeof(*r->v));
}

void
record_free(struct record *r)
{
	record_truncate(r, 0);
	strlist_free(&r->console);
	strlist_free(&r->usb);
	free(r->v);
	free(r->vm);
	free(r->how.uri);
	free(r->how.driver);
	memset(r, 0, sizeof(*r));
}

bool
state_has(const char *dir, const char *vm)
{
	char *path = file_of(dir, vm), *tmp = xasprintf("%s.tmp", path);
	struct stat st;
	bool r = lstat(path, &st) == 0 || lstat(tmp, &st) == 0;

	free(path);
	free(tmp);
	return r;
}

/* One "how" line: "uri URI", "driver NAME", "detach MODE", "timeout N",
 * "reattach yes|no".  Records older than these lines get the defaults. */
static bool
how_line(const char *line, struct record_how *h)
{
	const char *v = strchr(line, ' ');
	size_t k = v ? (size_t)(v - line) : 0, i;

	if (v == NULL || *++v == '\0')
		return false;
	if (k == 3 && strncmp(line, "uri", 3) == 0) {
		free(h->uri);
		h->uri = xstrdup(v);
	} else if (k == 6 && strncmp(line, "driver", 6) == 0) {
		free(h->driver);
		h->driver = xstrdup(v);
	} else if (k == 6 && strncmp(line, "detach", 6) == 0) {
		for (i = 0; i < sizeof(detach_names) / sizeof(*detach_names); i++)
			if (strcmp(v, detach_names[i]) == 0)
				break;
		if (i == sizeof(detach_names) / sizeof(*detach_names))
			return false;
		h->detach = (int)i;
	} else if (k == 7 && strncmp(line, "timeout", 7) == 0) {
		h->timeout = atoi(v);
		if (h->timeout < 1 || h->timeout > 600)
			return false;
	} else if (k == 8 && strncmp(line, "reattach", 8) == 0) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return false;
		h->reattach = strcmp(v, "yes") == 0;
	} else {
		return false;
	}
	return true;
}

/* "guest ADDR [driver=D] [reset=M]" or
 * "device ADDR DRV [override=D] [reset=M] [kept]". */
static int
device_line(char *line, struct record *r)
{
	char *save = NULL, *kind = strtok_r(line, " ", &save);
	char *addr = strtok_r(NULL, " ", &save), *drv = NULL, *ov = NULL, *rs = NULL, *w;
	struct pci_addr a;
	bool guest, kept = false;

	if (kind == NULL || addr == NULL || pci_addr_parse(addr, &a, NULL) < 0)
		return -1;
	guest = strcmp(kind, "guest") == 0;
	if (!guest && (strcmp(kind, "device") != 0 ||
	    (drv = strtok_r(NULL, " ", &save)) == NULL))
		return -1;
	while ((w = strtok_r(NULL, " ", &save)) != NULL)
		if (!guest && ov == NULL && strncmp(w, "override=", 9) == 0)
			ov = w + 9;
		else if (guest && drv == NULL && strncmp(w, "driver=", 7) == 0)
			drv = w + 7;
		else if (rs == NULL && strncmp(w, "reset=", 6) == 0)
			rs = w + 6;
		else if (!guest && !kept && strcmp(w, "kept") == 0)
			kept = true;
		else
			return -1;
	if (guest)
		record_add_guest(r, &a, drv);
	else
		record_add(r, &a, strcmp(drv, "none") ? drv : NULL, ov);
	if (rs)
		r->v[r->n - 1].reset = xstrdup(rs);
	r->v[r->n - 1].kept = kept;
	return 0;
}

/* "unit NAME", "vtcon N" or "fb DRIVER DEVICE": names as the config
 * and sysfs allow them, nothing a shell or a path could misread. */
static bool
handoff_line(const char *line)
{
	const char *name = UNIT_NAME_CHARS, *w;
	size_t n;

	if (strncmp(line, "unit ", 5) == 0)
		return line[5] && line[5] != '-' && line[5] != '.' &&
		    line[5 + strspn(line + 5, name)] == '\0';
	if (strncmp(line, "vtcon ", 6) == 0)
		return line[6] && line[6 + strspn(line + 6, "0123456789")] == '\0';
	if (strncmp(line, "fb ", 3) != 0)
		return false;
	w = line + 3;
	n = strspn(w, name);
	if (n == 0 || w[n] != ' ' || w[0] == '.')
		return false;
	w += n + 1;
	n = strspn(w, name);
	return n > 0 && w[0] != '.' && w[0] != '-' && w[n] == '\0';
}

static int
parse_record(const char *path, char *text, struct record *r)
{
	char *line, *save = NULL;
	int lineno = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		if (line[0] == '#' || how_line(line, &r->how))
			continue;
		if (strncmp(line, "domain ", 7) == 0) {
			free(r->vm);
			r->vm = unescape(line + 7, strlen(line + 7));
			continue;
		}
		if (handoff_line(line)) {
			strlist_add(&r->console, xstrdup(line));
			continue;
		}
		/* a USB port: bus-port.port..., digits, '-' and '.' */
		if (strncmp(line, "usb ", 4) == 0 && line[4] &&
		    line[4 + strspn(line + 4, "0123456789-.")] == '\0') {
			strlist_add(&r->usb, xstrdup(line + 4));
			continue;
		}
		if (device_line(line, r) < 0) {
			error_set("state: %s:%d: damaged record; pthook release %s once "
			    "the VM is off, or delete the file", path, lineno, r->vm);
			return -1;
		}
	}
	return 0;
}

/* The record at path; vm: the name it is for, until its domain line
 * says. */
static int
read_path(const char *path, const char *vm, struct record *r)
{
	char buf[1 << 16];
	ssize_t n;
	int fd;

	char *tmp = xasprintf("%s.tmp", path);
	struct stat st;

	memset(r, 0, sizeof(*r));
	r->vm = xstrdup(vm);
	r->partial = lstat(tmp, &st) == 0;
	free(tmp);
	record_set_how(r, "qemu:///system", "vfio-pci", DETACH_AUTO, 5, true);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		error_set("state: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		error_set("state: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	return parse_record(path, buf, r);
}

int
state_read(const char *dir, const char *vm, struct record *r)
{
	char *path = file_of(dir, vm);
	int rc = read_path(path, vm, r);

	free(path);
	return rc;
}

int
state_write(const char *dir, const struct record *r)
{
	char *path = file_of(dir, r->vm), *tmp = xasprintf("%s.tmp", path), a[PCI_ADDR_STRLEN], *enc;
	int fd = -1, dfd, rc = -1;
	FILE *f = NULL;
	size_t i;

	unlink(tmp);	/* a kill may have left one (record.partial) */
	if (r->n == 0 && r->console.n == 0 && r->usb.n == 0) {
		if (unlink(path) < 0 && errno != ENOENT)
			error_set("state: cannot remove %s: %s", path, strerror(errno));
		else
			rc = 0;
		goto sync;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		goto fail;
	enc = escape(r->vm, true);
	fprintf(f, "# pthook: devices detached for a domain; 'pthook release' gives them back\n"
	    "domain %s\n", enc);
	free(enc);
	if (r->how.uri)
		fprintf(f, "uri %s\ndriver %s\ndetach %s\ntimeout %d\nreattach %s\n",
		    r->how.uri, r->how.driver, detach_names[r->how.detach], r->how.timeout,
		    r->how.reattach ? "yes" : "no");
	for (i = 0; i < r->n; i++) {
		const struct taken *t = &r->v[i];

		if (t->guest)
			fprintf(f, "guest %s", pci_addr_fmt(&t->addr, a));
		else
			fprintf(f, "device %s %s", pci_addr_fmt(&t->addr, a),
			    t->driver ? t->driver : "none");
		if (t->guest && t->driver)
			fprintf(f, " driver=%s", t->driver);
		if (!t->guest && t->override)
			fprintf(f, " override=%s", t->override);
		if (t->reset)
			fprintf(f, " reset=%s", t->reset);
		if (t->kept)
			fputs(" kept", f);
		fputc('\n', f);
	}
	for (i = 0; i < r->console.n; i++)
		fprintf(f, "%s\n", r->console.v[i]);
	for (i = 0; i < r->usb.n; i++)
		fprintf(f, "usb %s\n", r->usb.v[i]);
	if (fflush(f) == EOF || fsync(fd) < 0)
		goto fail;
	fclose(f);
	f = NULL;
	if (rename(tmp, path) < 0)
		goto fail;
	rc = 0;
sync:
	/* the rename itself must survive a crash too */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(path);
	free(tmp);
	return rc;
fail:
	error_set("state: cannot write %s: %s", path, strerror(errno));
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(path);
	free(tmp);
	return -1;
}

static char *
unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *p = out;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned x;

		if (s[i] == '%' && i + 2 < len + 1 && sscanf(s + i + 1, "%2x", &x) == 1) {
			*p++ = (char)x;
			i += 2;
		} else {
			*p++ = s[i];
		}
	}
	*p = '\0';
	return out;
}

int
state_read_all(const char *dir, const char *skip_vm, struct record **out, size_t *n)
{
	size_t cap = 0, sl = strlen(SUFFIX);
	struct dirent *e;
	DIR *d;

	*out = NULL;
	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		struct record *r;
		char *vm, *path;
		int rc;

		/* a half-written record alone stands for an empty one */
		if (len > sl + 4 && strcmp(e->d_name + len - 4, ".tmp") == 0 &&
		    strncmp(e->d_name + len - 4 - sl, SUFFIX, sl) == 0) {
			char *rec = xstrndup(e->d_name, len - 4);

			path = xasprintf("%s/%s", dir, rec);
			free(rec);
			rc = access(path, F_OK) == 0;
			free(path);
			if (rc)
				continue;	/* read with its record */
			len -= 4;
		} else if (len <= sl || strcmp(e->d_name + len - sl, SUFFIX) != 0) {
			continue;
		}
		vm = unescape(e->d_name, len - sl);
		path = xasprintf("%s/%.*s", dir, (int)len, e->d_name);
		r = PUSH(*out, *n, cap);
		rc = read_path(path, vm, r);
		free(path);
		free(vm);
		if (rc < 0) {
			closedir(d);
			return -1;
		}
		if (skip_vm && strcmp(r->vm, skip_vm) == 0)
			record_free(&(*out)[--*n]);
	}
	closedir(d);
	return 0;
}
