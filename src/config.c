#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define CONFIG_MAX (1 << 20)

/* Keys that may appear once. */
enum {
	K_URI = 1 << 0, K_DRIVER = 1 << 1, K_REATTACH = 1 << 2,
	K_DETACH = 1 << 3, K_TIMEOUT = 1 << 4, K_GROUP = 1 << 5,
	K_MANAGED = 1 << 6, K_HOTPLUG = 1 << 7,
};

/* inih reports neither line numbers nor sections without keys, so the
 * line reader counts lines and records section headers itself. */
struct parse {
	struct config *cfg;
	const char *pos, *end;
	int lineno;
	bool in_global, seen_global;
	struct vm_conf *vm;	/* current [vm] section, or NULL */
	bool bad_section;	/* current header was rejected */
	char *error;		/* first error, "file:line: ..." */
};

static void
perr(struct parse *p, const char *fmt, ...) PRINTF(2, 3);

static void
perr(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (p->error)
		return;
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	p->error = xasprintf("%s:%d: %s", p->cfg->path, p->lineno, m);
	free(m);
}

const char *
config_path(const char *opt, bool *explicit_)
{
	const char *env = getenv("PTHOOK_CONFIG");

	*explicit_ = true;
	if (opt && *opt)
		return opt;
	if (env && *env)
		return env;
	*explicit_ = false;
	return CONFIG_DEFAULT;
}

static bool
valid_vm_name(const char *s)
{
	const char *c;

	if (*s == '\0' || strlen(s) > 200 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == '/' || *c == '"' || *c == 0x7f)
			return false;
	return true;
}

static void
section(struct parse *p, const char *line)
{
	const char *close = strchr(line, ']');
	struct config *cfg = p->cfg;
	char *name;
	size_t i, len;

	p->vm = NULL;
	p->in_global = false;
	p->bad_section = true;
	if (close == NULL)
		return;		/* inih reports the syntax error */
	name = xstrndup(line + 1, (size_t)(close - line - 1));
	len = strlen(name);
	if (strcmp(name, "global") == 0) {
		if (p->seen_global)
			perr(p, "second [global] section; merge it into the first");
		p->seen_global = p->in_global = true;
		p->bad_section = false;
	} else if (strncmp(name, "vm \"", 4) == 0 && len >= 5 && name[len - 1] == '"') {
		name[len - 1] = '\0';
		if (!valid_vm_name(name + 4)) {
			perr(p, "bad VM name \"%s\": a libvirt domain name without "
			    "'/', quotes or control characters", name + 4);
		} else {
			for (i = 0; i < cfg->nvms; i++)
				if (strcmp(cfg->vms[i].name, name + 4) == 0)
					perr(p, "duplicate section [vm \"%s\"] (first at "
					    "line %d); merge the two", name + 4, cfg->vms[i].line);
			p->vm = PUSH(cfg->vms, cfg->nvms, cfg->vmcap);
			memset(p->vm, 0, sizeof(*p->vm));
			p->vm->name = xstrdup(name + 4);
			p->vm->line = p->lineno;
			p->vm->managed = true;
			p->bad_section = false;
		}
	} else {
		perr(p, "unknown section [%s]; expected [global] or [vm \"NAME\"]", name);
	}
	free(name);
}

/* fgets() over the in-memory file, for ini_parse_stream(). */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *nl, *start;
	size_t len;

	if (p->pos >= p->end)
		return NULL;
	nl = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	len = nl ? (size_t)(nl - p->pos) : (size_t)(p->end - p->pos);
	start = p->pos;
	p->pos += len + (nl != NULL);
	p->lineno++;
	/* Leading blanks would turn a line into a continuation of the
	 * previous key under inih's multi-line rule: indenting is common,
	 * silently merging two rules is not what anybody means. */
	while (len > 0 && (*start == ' ' || *start == '\t')) {
		start++;
		len--;
	}
	if (len > (size_t)num - 2)
		len = (size_t)num - 2;	/* already refused by check_text() */
	memcpy(str, start, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	if (str[0] == '[')
		section(p, str);
	return str;
}

static bool
yes_no(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		*out = false;
	else
		return false;
	return true;
}

static bool
once(struct parse *p, unsigned *set, unsigned key, const char *name)
{
	if (*set & key) {
		perr(p, "'%s' set twice in one section; keep one", name);
		return false;
	}
	*set |= key;
	return true;
}

static void
add_rule(struct parse *p, struct rule **arr, size_t *n, size_t *cap,
    const char *name, const char *value)
{
	struct rule *r;
	char why[256];

	r = PUSH(*arr, *n, *cap);
	r->line = p->lineno;
	if (match_parse(value, &r->m, why, sizeof(why)) < 0) {
		(*n)--;
		perr(p, "%s = %s: %s", name, value, why);
		return;
	}
	p->cfg->uses |= r->m.keys;
}

static void
add_usb_rule(struct parse *p, struct usb_rule **arr, size_t *n, size_t *cap,
    const char *name, const char *value)
{
	struct usb_rule *r;
	char why[256];

	r = PUSH(*arr, *n, *cap);
	r->line = p->lineno;
	if (usb_match_parse(value, &r->m, why, sizeof(why)) < 0) {
		(*n)--;
		perr(p, "%s = %s: %s", name, value, why);
	}
}

static void
global_key(struct parse *p, const char *name, const char *value)
{
	struct config *c = p->cfg;
	char *end;
	long t;

	if (strcmp(name, "uri") == 0) {
		if (once(p, &c->set, K_URI, name)) {
			free(c->uri);
			c->uri = xstrdup(value);
		}
	} else if (strcmp(name, "driver") == 0) {
		if (!once(p, &c->set, K_DRIVER, name))
			return;
		if (strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(value))
			perr(p, "driver = %s: not a kernel driver name (e.g. vfio-pci)", value);
		free(c->driver);
		c->driver = xstrdup(value);
	} else if (strcmp(name, "reattach") == 0) {
		if (once(p, &c->set, K_REATTACH, name) && !yes_no(value, &c->reattach))
			perr(p, "reattach = %s: expected yes or no", value);
	} else if (strcmp(name, "detach") == 0) {
		if (!once(p, &c->set, K_DETACH, name))
			return;
		if (strcmp(value, "auto") == 0)
			c->detach = DETACH_AUTO;
		else if (strcmp(value, "libvirt") == 0)
			c->detach = DETACH_LIBVIRT;
		else if (strcmp(value, "sysfs") == 0)
			c->detach = DETACH_SYSFS;
		else
			perr(p, "detach = %s: expected auto, libvirt or sysfs", value);
	} else if (strcmp(name, "timeout") == 0) {
		if (!once(p, &c->set, K_TIMEOUT, name))
			return;
		errno = 0;
		t = strtol(value, &end, 10);
		if (*end || errno || t < 1 || t > 600)
			perr(p, "timeout = %s: expected whole seconds from 1 to 600", value);
		else
			c->timeout = (int)t;
	} else if (strcmp(name, "protect") == 0) {
		add_rule(p, &c->protect, &c->nprotect, &c->protcap, name, value);
	} else {
		perr(p, "unknown key '%s' in [global] (uri driver reattach protect "
		    "detach timeout)", name);
	}
}

static void
vm_key(struct parse *p, const char *name, const char *value)
{
	struct vm_conf *vm = p->vm;

	if (strcmp(name, "pci") == 0) {
		add_rule(p, &vm->pci, &vm->npci, &vm->pcicap, name, value);
	} else if (strcmp(name, "group") == 0) {
		if (!once(p, &vm->set, K_GROUP, name))
			return;
		if (strcmp(value, "assign") == 0)
			vm->group = GROUP_ASSIGN;
		else if (strcmp(value, "detach") == 0)
			vm->group = GROUP_DETACH;
		else if (strcmp(value, "strict") == 0)
			vm->group = GROUP_STRICT;
		else
			perr(p, "group = %s: expected assign, detach or strict", value);
	} else if (strcmp(name, "managed") == 0) {
		if (once(p, &vm->set, K_MANAGED, name) && !yes_no(value, &vm->managed))
			perr(p, "managed = %s: expected yes or no", value);
	} else if (strcmp(name, "usb") == 0) {
		add_usb_rule(p, &vm->usb, &vm->nusb, &vm->usbcap, name, value);
	} else if (strcmp(name, "usb_deny") == 0) {
		add_usb_rule(p, &vm->usb_deny, &vm->ndeny, &vm->denycap, name, value);
	} else if (strcmp(name, "hotplug") == 0) {
		if (once(p, &vm->set, K_HOTPLUG, name) && !yes_no(value, &vm->hotplug))
			perr(p, "hotplug = %s: expected yes or no", value);
	} else {
		perr(p, "unknown key '%s' in [vm \"%s\"] (pci usb usb_deny group managed "
		    "hotplug)", name, vm->name);
	}
}

static int
handler(void *user, const char *sect, const char *name, const char *value)
{
	struct parse *p = user;

	(void)sect;	/* tracked by section() with its line number */
	if (p->bad_section)
		return 1;	/* the header's error was reported */
	if (*value == '\0')
		perr(p, "'%s' has no value", name);
	else if (p->in_global)
		global_key(p, name, value);
	else if (p->vm)
		vm_key(p, name, value);
	else
		perr(p, "'%s' outside any section; put it under [global] or [vm \"NAME\"]", name);
	return 1;
}

/* inih silently splits lines longer than its buffer and cannot see
 * NUL bytes: refuse both before it runs. */
static int
check_text(struct parse *p, const char *buf, size_t len)
{
	const char *s = buf, *e = buf + len;

	for (p->lineno = 1; s < e; p->lineno++) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(e - s);

		if (memchr(s, '\0', l)) {
			perr(p, "NUL byte in the file; it is not a text file");
			return -1;
		}
		if (l > INI_MAX_LINE - 2) {
			perr(p, "line longer than %d characters; split it (several "
			    "pci = lines are fine)", INI_MAX_LINE - 2);
			return -1;
		}
		s += l + 1;
	}
	p->lineno = 0;
	return 0;
}

/* pthook runs as root on every VM start: a config that somebody else
 * can write is a way to hand them the host's devices. */
static int
check_owner(const char *path, int fd)
{
	char *copy, *dir;
	struct stat st;
	int r = 0;

	if (geteuid() != 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		error_set("%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		error_set("%s: %s (mode %04o, owner uid %u); it must be root's and not "
		    "group/world-writable: chown root %s && chmod go-w %s", path,
		    st.st_uid != 0 ? "not owned by root" : "writable by group or others",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, path, path);
		return -1;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (stat(dir, &st) < 0) {
		error_set("%s: %s", dir, strerror(errno));
		r = -1;
	} else if (st.st_uid != 0 || (st.st_mode & 022)) {
		error_set("%s: directory of the config is %s (mode %04o, owner uid %u); "
		    "chown root %s && chmod go-w %s", dir,
		    st.st_uid != 0 ? "not owned by root" : "writable by group or others",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, dir, dir);
		r = -1;
	}
	free(copy);
	return r;
}

void
config_init(struct config *cfg, const char *path)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup(path);
	cfg->uri = xstrdup("qemu:///system");
	cfg->driver = xstrdup("vfio-pci");
	cfg->reattach = true;
	cfg->detach = DETACH_AUTO;
	cfg->timeout = 5;
}

int
config_parse(struct config *cfg, const char *buf, size_t len)
{
	struct parse p = { .cfg = cfg };
	int rc;

	cfg->present = true;
	if (check_text(&p, buf, len) == 0) {
		p.pos = buf;
		p.end = buf + len;
		rc = ini_parse_stream(reader, &p, handler, &p);
		if (rc > 0 && p.error == NULL) {
			p.lineno = rc;
			perr(&p, "syntax error: expected [section], 'key = value' or a "
			    "comment");
		} else if (rc < 0 && p.error == NULL) {
			perr(&p, "cannot parse the file");
		}
	}
	if (p.error) {
		error_set("%s", p.error);
		free(p.error);
		return -1;
	}
	return 0;
}

int
config_load(const char *path, bool must_exist, struct config *cfg)
{
	struct stat st;
	size_t len;
	char *buf;
	int fd, rc;

	config_init(cfg, path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return 0;
		error_set("%s: cannot open the config: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error_set("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (check_owner(path, fd) < 0) {
		close(fd);
		return -1;
	}
	buf = read_fd(fd, path, CONFIG_MAX, &len);
	close(fd);
	if (buf == NULL)
		return -1;
	rc = config_parse(cfg, buf, len);
	free(buf);
	return rc;
}

static void
free_rules(struct rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		match_free(&r[i].m);
	free(r);
}

static void
free_usb_rules(struct usb_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		usb_match_free(&r[i].m);
	free(r);
}

void
config_free(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nvms; i++) {
		free(cfg->vms[i].name);
		free_rules(cfg->vms[i].pci, cfg->vms[i].npci);
		free_usb_rules(cfg->vms[i].usb, cfg->vms[i].nusb);
		free_usb_rules(cfg->vms[i].usb_deny, cfg->vms[i].ndeny);
	}
	free(cfg->vms);
	free_rules(cfg->protect, cfg->nprotect);
	free(cfg->path);
	free(cfg->uri);
	free(cfg->driver);
	memset(cfg, 0, sizeof(*cfg));
}

const struct vm_conf *
config_vm(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nvms; i++)
		if (strcmp(cfg->vms[i].name, name) == 0)
			return &cfg->vms[i];
	return NULL;
}

int
config_for_vm(const char *opt, const char *vm, struct config *cfg, bool *named)
{
	bool explicit_;
	const char *path = config_path(opt, &explicit_);

	*named = false;
	if (config_load(path, explicit_, cfg) == 0) {
		*named = config_vm(cfg, vm) != NULL;
		return 0;
	}
	/* Unreadable or unsafe: it might name anything.  Parsed with errors:
	 * only the [vm] headers it has are at stake. */
	if (!cfg->present || config_vm(cfg, vm)) {
		msg("%s: %s", vm, error_get());
		config_free(cfg);
		return EXIT_USAGE;
	}
	config_free(cfg);
	config_init(cfg, path);
	return 0;
}
