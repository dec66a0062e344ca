#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "util.h"

#define CONFIG_MAX (1 << 20)
#define INIH_SECTION 49

/* Keys that may appear once. */
enum {
	K_URI = 1 << 0, K_DRIVER = 1 << 1, K_REATTACH = 1 << 2,
	K_DETACH = 1 << 3, K_TIMEOUT = 1 << 4, K_GROUP = 1 << 5,
	K_MANAGED = 1 << 6, K_HOTPLUG = 1 << 7, K_CONSOLE = 1 << 8, K_UNITS = 1 << 9, K_EARLY = 1 << 10,
};

/* The handoff's default: what a desktop runs its display server under. */
#define DEFAULT_UNIT "display-manager.service"

/* The config is read by inih, the one parser, fed by our own reader
 * (ini_parse_stream) so that inih cannot fail open: its line buffer is
 * fixed when the library is built (200 bytes in Debian) and it splits
 * a longer line into rules nobody wrote, so the reader hands it only
 * lines that fit, and a line that does not is an error naming it.  The
 * reader also counts lines (Debian's inih passes the handler none),
 * takes the BOM, CR and indentation off (an indented line would be
 * inih's continuation of the rule above), and sees every section
 * header itself, so that a [vm "NAME"] with only bad keys still blocks
 * NAME.  It never stops at the first error: every header must be
 * known so that the hook can tell which domains a broken file might
 * concern (SPEC §5.1), and each error is filed under what it can
 * affect. */
struct parse {
	struct config *cfg;
	const char *text, *end;	/* what the reader has not handed on */
	int lineno;
	int scope;		/* where an error on this line belongs */
	bool in_global, seen_global;
	struct vm_conf *vm;	/* current [vm] section, or NULL */
	bool bad_section;	/* current header was rejected: skip its keys */
};

static void
perr(struct parse *p, const char *fmt, ...) PRINTF(2, 3);

static void
perr(struct parse *p, const char *fmt, ...)
{
	struct config_error *e;
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	e = PUSH(p->cfg->errors, p->cfg->nerrors, p->cfg->errcap);
	e->text = xasprintf("%s:%d: %s", p->cfg->path, p->lineno, m);
	e->scope = p->scope;
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

/* After a header's ']': nothing, or a comment. */
static bool
only_comment(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == ';' || *s == '#';
}

/* A header is exactly [global] or [vm "NAME"]: anything else might be
 * meant to name any domain, so it blocks them all. */
static void
header(struct parse *p, char *line)
{
	struct config *cfg = p->cfg;
	char *name, *q;
	size_t i;

	p->vm = NULL;
	p->in_global = false;
	p->bad_section = false;
	if (strncmp(line, "[global]", 8) == 0 && only_comment(line + 8)) {
		p->scope = SCOPE_GLOBAL;
		if (p->seen_global)
			perr(p, "second [global] section; merge it into the first");
		p->seen_global = p->in_global = true;
		return;
	}
	p->scope = SCOPE_ANY;
	p->bad_section = true;
	if (strncmp(line, "[vm \"", 5) != 0 || (q = strchr(line + 5, '"')) == NULL ||
	    q[1] != ']' || !only_comment(q + 2)) {
		if (strchr(line, ']') == NULL)
			perr(p, "syntax error: section header without ']'");
		else
			perr(p, "unknown section %s; expected exactly [global] or [vm \"NAME\"] "
			    "(until it is fixed, no configured VM starts)", line);
		return;
	}
	name = xstrndup(line + 5, (size_t)(q - line - 5));
	if (!valid_vm_name(name)) {
		perr(p, "bad VM name \"%s\": a libvirt domain name without "
		    "'/', quotes or control characters", name);
		free(name);
		return;
	}
	p->bad_section = false;
	for (i = 0; i < cfg->nvms; i++)
		if (strcmp(cfg->vms[i].name, name) == 0) {
			p->scope = (int)i;
			p->vm = &cfg->vms[i];
			perr(p, "duplicate section [vm \"%s\"] (first at line %d); merge "
			    "the two", name, cfg->vms[i].line);
			free(name);
			return;
		}
	p->scope = (int)cfg->nvms;
	p->vm = PUSH(cfg->vms, cfg->nvms, cfg->vmcap);
	memset(p->vm, 0, sizeof(*p->vm));
	p->vm->name = name;
	p->vm->line = p->lineno;
	p->vm->managed = true;
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
add_input_rule(struct parse *p, struct input_rule **arr, size_t *n, size_t *cap,
    const char *name, const char *value)
{
	struct input_rule *r;
	char why[256];

	r = PUSH(*arr, *n, *cap);
	r->line = p->lineno;
	if (input_match_parse(value, &r->m, why, sizeof(why)) < 0) {
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

/* units = NAME...: systemd unit names, blank- or comma-separated.
 * They reach systemctl's command line: nothing that could be an
 * option or a glob. */
static void
units(struct parse *p, struct vm_conf *vm, const char *value)
{
	char *copy = xstrdup(value), *save = NULL, *u;

	for (u = strtok_r(copy, " \t,", &save); u; u = strtok_r(NULL, " \t,", &save)) {
		if (u[0] == '-' || u[0] == '.' || u[strspn(u, UNIT_NAME_CHARS)] != '\0') {
			perr(p, "units = %s: '%s' is not a systemd unit name", value, u);
			break;
		}
		strlist_add(&vm->units, xstrdup(u));
	}
	if (vm->units.n == 0 && u == NULL)
		perr(p, "units = %s: expected unit names (display-manager.service)", value);
	free(copy);
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
	} else if (strcmp(name, "input") == 0) {
		add_input_rule(p, &vm->input, &vm->ninput, &vm->inputcap, name, value);
	} else if (strcmp(name, "input_deny") == 0) {
		add_input_rule(p, &vm->input_deny, &vm->nindeny, &vm->indenycap, name, value);
	} else if (strcmp(name, "hotplug") == 0) {
		if (once(p, &vm->set, K_HOTPLUG, name) && !yes_no(value, &vm->hotplug))
			perr(p, "hotplug = %s: expected yes or no", value);
	} else if (strcmp(name, "early") == 0) {
		if (once(p, &vm->set, K_EARLY, name) && !yes_no(value, &vm->early))
			perr(p, "early = %s: expected yes or no", value);
	} else if (strcmp(name, "console") == 0) {
		if (!once(p, &vm->set, K_CONSOLE, name))
			return;
		if (strcmp(value, "handoff") == 0)
			vm->handoff = true;
		else if (strcmp(value, "keep") != 0)
			perr(p, "console = %s: expected keep or handoff", value);
	} else if (strcmp(name, "units") == 0) {
		if (once(p, &vm->set, K_UNITS, name))
			units(p, vm, value);
	} else {
		perr(p, "unknown key '%s' in [vm \"%s\"] (pci usb usb_deny input "
		    "input_deny group managed hotplug early console units)", name, vm->name);
	}
}

/* inih's handler: key = value under the section the reader saw last
 * (inih's own name for it must agree).  The value without its comment:
 * ';' or '#' after a blank (pthook.ini(5)); inih takes ';' off itself. */
static int
on_key(void *user, const char *section, const char *key, const char *val)
{
	struct parse *p = user;
	char *name, *value, *c, *want;

	if (p->bad_section)
		return 1;	/* the header's error was reported */
	want = p->vm ? xasprintf("vm \"%s\"", p->vm->name) : xstrdup("global");
	/* inih keeps 49 bytes of a section name (MAX_SECTION): a longer
	 * VM name agrees when inih's is its start */
	if ((p->vm || p->in_global) && strcmp(section, want) != 0 &&
	    (strlen(section) < INIH_SECTION || strncmp(section, want, strlen(section)) != 0)) {
		perr(p, "inih read this line under [%s], pthook under [%s]; write the header "
		    "as [global] or [vm \"NAME\"]", section, want);
		free(want);
		return 1;
	}
	free(want);
	name = xstrdup(key);
	value = xstrdup(val);
	for (c = value; (c = strpbrk(c, ";#")) != NULL; c++)
		if (c == value || c[-1] == ' ' || c[-1] == '\t') {
			*c = '\0';
			break;
		}
	str_trim(value);
	if (*value == '\0')
		perr(p, "'%s' has no value", name);
	else if (p->in_global)
		global_key(p, name, value);
	else if (p->vm)
		vm_key(p, name, value);
	else
		perr(p, "'%s' outside any section; put it under [global] or [vm \"NAME\"]", name);
	free(name);
	free(value);
	return 1;
}

/* A header line inih must not see: what the file says there is lost,
 * and it might have named any VM. */
static void
lost_header(struct parse *p)
{
	p->scope = SCOPE_ANY;
	p->bad_section = true;
	p->vm = NULL;
	p->in_global = false;
}

/* Not [section], key = value or a comment (inih also takes "key:
 * value", pthook.ini(5) does not). */
static bool
not_a_key(const char *line)
{
	return *line && *line != ';' && *line != '#' && *line != '[' &&
	    (strchr(line, '=') == NULL || *line == '=' || strcspn(line, ":") < strcspn(line, "="));
}

/* inih's reader: the next line into str (at most num - 1 bytes with
 * its newline, as fgets), checked first.  A line inih must not see
 * goes to it empty, so that its numbering stays ours. */
static char *
next_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	size_t len, room = num > 2 ? (size_t)num - 2 : 0;
	const char *nl;
	char *line, *t;

	if (p->text >= p->end)
		return NULL;
	nl = memchr(p->text, '\n', (size_t)(p->end - p->text));
	len = (size_t)((nl ? nl : p->end) - p->text);
	line = xstrndup(p->text, len);
	p->text += len + (nl != NULL);
	p->lineno++;
	strcpy(str, "\n");
	if (p->lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0) {
		len -= 3;
		memmove(line, line + 3, len + 1);
	}
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	t = line + strspn(line, " \t");
	if (strlen(line) != len) {
		/* a file with NUL bytes is no text file: what it hides might
		 * be a header */
		lost_header(p);
		perr(p, "NUL byte in the file; it is not a text file (until it is fixed, "
		    "no configured VM starts)");
	} else if (len > room) {
		if (*t == '[')
			lost_header(p);
		perr(p, "line of %zu bytes, longer than the %zu inih reads a line in; split it "
		    "(a rule a line, a comment a line)", len, room);
	} else if (not_a_key(str_trim(t))) {
		if (!p->bad_section)
			perr(p, "syntax error: expected [section], 'key = value' or a comment");
	} else {
		if (*t == '[')
			header(p, t);
		if (*t != '[' || !p->bad_section)
			snprintf(str, (size_t)num, "%s\n", t);
	}
	free(line);
	return str;
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

/* The first error, as the call's error_set(). */
static int
verdict(const struct config *cfg)
{
	if (cfg->unsafe) {
		error_set("%s", cfg->unsafe);
		return -1;
	}
	if (cfg->nerrors) {
		error_set("%s", cfg->errors[0].text);
		return -1;
	}
	return 0;
}

/* Not a config at all: it might name anything. */
static int
unreadable(struct config *cfg, const char *fmt, ...) PRINTF(2, 3);

static int
unreadable(struct config *cfg, const char *fmt, ...)
{
	struct config_error *e = PUSH(cfg->errors, cfg->nerrors, cfg->errcap);
	va_list ap;

	va_start(ap, fmt);
	e->text = xvasprintf(fmt, ap);
	va_end(ap);
	e->scope = SCOPE_ANY;
	return verdict(cfg);
}

int
config_parse(struct config *cfg, const char *buf, size_t len)
{
	struct parse p = { .cfg = cfg, .text = buf, .end = buf + len, .scope = SCOPE_GLOBAL };
	int r;

	cfg->present = true;
	/* the reader and the handler file every error; what inih still
	 * finds wrong is what neither saw */
	if ((r = ini_parse_stream(next_line, &p, on_key, &p)) != 0) {
		p.lineno = r;
		p.scope = SCOPE_ANY;
		perr(&p, "inih cannot read this line; write it as [section], 'key = value' "
		    "or a comment");
	}
	for (size_t i = 0; i < cfg->nvms; i++)
		if (cfg->vms[i].handoff && cfg->vms[i].units.n == 0)
			strlist_add(&cfg->vms[i].units, xstrdup(DEFAULT_UNIT));
	return verdict(cfg);
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
		return unreadable(cfg, "%s: cannot open the config: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return unreadable(cfg, "%s: not a regular file", path);
	}
	/* An unsafe file is still read: its headers say which starts it
	 * blocks. */
	if (check_owner(path, fd) < 0)
		cfg->unsafe = xstrdup(error_get());
	buf = read_fd(fd, path, CONFIG_MAX, &len);
	close(fd);
	if (buf == NULL)
		return unreadable(cfg, "%s", error_get());
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

static void
free_input_rules(struct input_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		input_match_free(&r[i].m);
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
		free_input_rules(cfg->vms[i].input, cfg->vms[i].ninput);
		free_input_rules(cfg->vms[i].input_deny, cfg->vms[i].nindeny);
		strlist_free(&cfg->vms[i].units);
	}
	free(cfg->vms);
	for (i = 0; i < cfg->nerrors; i++)
		free(cfg->errors[i].text);
	free(cfg->errors);
	free(cfg->unsafe);
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

const char *
config_problem(const struct config *cfg, const char *vm)
{
	const struct vm_conf *v = config_vm(cfg, vm);
	int idx = v ? (int)(v - cfg->vms) : SCOPE_NONE;
	size_t i;

	if (v && cfg->unsafe)
		return cfg->unsafe;
	for (i = 0; i < cfg->nerrors; i++) {
		int s = cfg->errors[i].scope;

		if (s == SCOPE_ANY || (v && (s == SCOPE_GLOBAL || s == idx)))
			return cfg->errors[i].text;
	}
	return NULL;
}

bool
config_concerns(const struct config *cfg, const char *vm)
{
	return config_vm(cfg, vm) != NULL || config_problem(cfg, vm) != NULL;
}
