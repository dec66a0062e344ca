#include "match.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

int
match_fail(char *err, size_t errlen, const char *fmt, const char *arg)
{
	snprintf(err, errlen, fmt, arg);
	return -1;
}

bool
match_hex4(const char *s, unsigned *out)
{
	if (strlen(s) != 4 || !is_hex_string(s, 4))
		return false;
	*out = (unsigned)strtoul(s, NULL, 16);
	return true;
}

bool
match_id_pair(const char *s, unsigned *a, unsigned *b)
{
	char left[5];

	if (strlen(s) != 9 || s[4] != ':')
		return false;
	memcpy(left, s, 4);
	left[4] = '\0';
	return match_hex4(left, a) && match_hex4(s + 5, b);
}

static bool
parse_serial(const char *s, char out[24])
{
	char hex[17];
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '-' || *s == ':')
			continue;
		if (n == 16 || !isxdigit((unsigned char)*s))
			return false;
		hex[n++] = (char)tolower((unsigned char)*s);
	}
	if (n != 16)
		return false;
	snprintf(out, 24, "%.2s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s-%.2s", hex,
	    hex + 2, hex + 4, hex + 6, hex + 8, hex + 10, hex + 12, hex + 14);
	return true;
}

/* glibc's regcomp() copies the pattern tree for every repetition, so
 * stacked or nested quantifiers cost exponential memory: a config line
 * could exhaust the host from inside the hook.  pci.ids names need
 * nothing of the sort. */
static const char *
regex_too_complex(const char *re)
{
	int depth = 0;
	bool after_quant = false;
	const char *c;

	if (strlen(re) > 80)
		return "longer than 80 characters";
	for (c = re; *c; c++) {
		if (*c == '\\' && c[1]) {
			c++;
			after_quant = false;
		} else if (*c == '{') {
			return "bounded repetition {n,m} is not supported";
		} else if (*c == '*' || *c == '+' || *c == '?') {
			if (after_quant)
				return "a quantifier may not follow another";
			after_quant = true;
		} else {
			if (*c == '(' && ++depth > 3)
				return "groups nest deeper than 3";
			if (*c == ')')
				depth--;
			after_quant = false;
		}
	}
	return NULL;
}

int
match_regcomp(regex_t *re, const char *val, char *err, size_t errlen)
{
	const char *why;
	char rerr[128];
	int rc;

	if ((why = regex_too_complex(val)) != NULL)
		return match_fail(err, errlen, "name: regular expression too complex: %s", why);
	if ((rc = regcomp(re, val, REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
		regerror(rc, re, rerr, sizeof(rerr));
		return match_fail(err, errlen, "name: bad regular expression: %s", rerr);
	}
	return 0;
}

int
match_key(unsigned *keys, unsigned key, const char *name, char *err, size_t errlen)
{
	if (*keys & key)
		return match_fail(err, errlen, "'%s' given twice in one match", name);
	*keys |= key;
	return 0;
}

/* The kernel's reset_method names (drivers/pci/pci.c, 6.1). */
static bool
reset_methods_ok(const char *val)
{
	static const char *const known[] = { "flr", "af_flr", "pm", "bus", "cxl_bus",
		"acpi", "device_specific" };
	char *copy = xstrdup(val), *rest = copy, *w;
	bool ok = true;
	size_t i;

	/* strsep yields the empty words of "bus,", ",pm" and "bus,,pm" */
	while (ok && (w = strsep(&rest, ",")) != NULL) {
		for (i = 0; i < sizeof(known) / sizeof(*known) && strcmp(w, known[i]); i++)
			;
		ok = i < sizeof(known) / sizeof(*known);
	}
	free(copy);
	return ok;
}

static int
criterion(struct match *m, const char *key, const char *val, char *err, size_t errlen)
{
	char *end;

	if (strcmp(key, "vendor") == 0 || strcmp(key, "device") == 0) {
		bool v = key[0] == 'v';

		if (match_key(&m->keys, v ? M_VENDOR : M_DEVICE, key, err, errlen))
			return -1;
		if (!match_hex4(val, v ? &m->vendor : &m->device))
			return match_fail(err, errlen, "%s wants 4 hex digits, e.g. 10de", key);
	} else if (strcmp(key, "subsystem") == 0) {
		if (match_key(&m->keys, M_SUBSYS, key, err, errlen))
			return -1;
		if (!match_id_pair(val, &m->subvendor, &m->subdevice))
			return match_fail(err, errlen, "%s wants VVVV:DDDD, e.g. 1043:85f4", key);
	} else if (strcmp(key, "class") == 0) {
		size_t n = strlen(val);

		if (match_key(&m->keys, M_CLASS, key, err, errlen))
			return -1;
		if ((n != 2 && n != 4 && n != 6) || !is_hex_string(val, n))
			return match_fail(err, errlen, "%s wants 2, 4 or 6 hex digits, e.g. 0c03", key);
		m->class = (unsigned)strtoul(val, NULL, 16);
		m->class_digits = (unsigned)n;
	} else if (strcmp(key, "driver") == 0) {
		if (match_key(&m->keys, M_DRIVER, key, err, errlen))
			return -1;
		m->driver = xstrdup(val);
	} else if (strcmp(key, "slot") == 0) {
		if (match_key(&m->keys, M_SLOT, key, err, errlen))
			return -1;
		m->slot = xstrdup(val);
	} else if (strcmp(key, "serial") == 0) {
		if (match_key(&m->keys, M_SERIAL, key, err, errlen))
			return -1;
		if (!parse_serial(val, m->serial))
			return match_fail(err, errlen, "%s wants 16 hex digits as lspci prints "
			    "them, e.g. 00-11-22-33-44-55-66-77", key);
	} else if (strcmp(key, "name") == 0) {
		if (match_key(&m->keys, M_NAME, key, err, errlen))
			return -1;
		if (match_regcomp(&m->name_re, val, err, errlen) < 0) {
			m->keys &= ~(unsigned)M_NAME;
			return -1;
		}
	} else if (strcmp(key, "address") == 0) {
		if (match_key(&m->keys, M_ADDRESS, key, err, errlen))
			return -1;
		if (pci_addr_parse(val, &m->addr, &m->addr_wild) < 0)
			return match_fail(err, errlen, "%s wants [DDDD:]BB:SS.F, '*' allowed "
			    "per field, e.g. 0000:0a:*.*", key);
	} else if (strcmp(key, "index") == 0 || strcmp(key, "vf") == 0 ||
	    strcmp(key, "numvfs") == 0) {
		unsigned k = key[0] == 'i' ? M_INDEX : key[1] == 'f' ? M_VF : M_NUMVFS;
		long *n = k == M_INDEX ? &m->index : k == M_VF ? &m->vf : &m->numvfs;

		if (match_key(&m->keys, k, key, err, errlen))
			return -1;
		errno = 0;
		*n = strtol(val, &end, 10);
		/* SR-IOV allows at most 65535 VFs per PF */
		if (*end != '\0' || errno || *n < (k == M_NUMVFS) ||
		    (k != M_INDEX && *n > 65535) || !isdigit((unsigned char)*val))
			return match_fail(err, errlen, k == M_INDEX ? "%s wants a number >= 0" :
			    k == M_VF ? "%s wants a number from 0 to 65535" :
			    "%s wants a number from 1 to 65535", key);
	} else if (strcmp(key, "reset") == 0) {
		if (match_key(&m->keys, M_RESET, key, err, errlen))
			return -1;
		if (!reset_methods_ok(val))
			return match_fail(err, errlen, "%s wants reset methods the kernel knows, "
			    "comma-separated, e.g. bus,pm: flr af_flr pm bus cxl_bus acpi "
			    "device_specific", key);
		m->reset = xstrdup(val);
	} else {
		return match_fail(err, errlen, "unknown criterion '%s' (one of vendor device "
		    "subsystem class driver slot serial name address index vf numvfs reset "
		    "all force interface)", key);
	}
	return 0;
}

/* A bare word: 'all', a vendor:device shorthand, or an address. */
static int
bare_word(struct match *m, const char *w, char *err, size_t errlen)
{
	unsigned v, d;

	if (strcmp(w, "all") == 0)
		return match_key(&m->keys, M_ALL, "all", err, errlen);
	if (strcmp(w, "force") == 0)
		return match_key(&m->keys, M_FORCE, "force", err, errlen);
	if (strcmp(w, "interface") == 0)
		return match_key(&m->keys, M_IFACE, "interface", err, errlen);
	if (match_id_pair(w, &v, &d)) {
		if (match_key(&m->keys, M_VENDOR, "vendor", err, errlen) ||
		    match_key(&m->keys, M_DEVICE, "device", err, errlen))
			return -1;
		m->vendor = v;
		m->device = d;
		return 0;
	}
	if (strchr(w, '.') && strchr(w, ':')) {
		if (match_key(&m->keys, M_ADDRESS, "address", err, errlen))
			return -1;
		if (pci_addr_parse(w, &m->addr, NULL) < 0)
			return match_fail(err, errlen, "'%s' is not a PCI address [DDDD:]BB:SS.F", w);
		m->addr_wild = 0;
		return 0;
	}
	return match_fail(err, errlen, "'%s' is neither VVVV:DDDD, a PCI address, "
	    "'all', 'force', 'interface' nor key=value", w);
}

int
match_words(const char *text, match_word_fn *word, void *ctx, char *err, size_t errlen)
{
	char *buf, *p;
	int r = 0;

	p = buf = xstrdup(text);
	while (r == 0) {
		char *tok, *eq, *val;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		tok = p;
		/* key="value with spaces" for name regexes */
		eq = NULL;
		while (*p && *p != ' ' && *p != '\t') {
			if (*p == '=' && eq == NULL) {
				eq = p;
				if (p[1] == '"') {
					char *close = strchr(p + 2, '"');

					if (close == NULL) {
						r = match_fail(err, errlen, "unterminated quote after '%s'", tok);
						break;
					}
					p = close;
				}
			}
			p++;
		}
		if (r)
			break;
		if (*p)
			*p++ = '\0';
		if (eq == NULL) {
			r = word(ctx, NULL, tok, err, errlen);
			continue;
		}
		*eq = '\0';
		val = eq + 1;
		if (*val == '"') {
			size_t n = strlen(val);

			if (n < 2 || val[n - 1] != '"') {
				r = match_fail(err, errlen, "text after the closing quote of '%s'", tok);
				continue;
			}
			val[n - 1] = '\0';
			val++;
		}
		r = *val ? word(ctx, tok, val, err, errlen) :
		    match_fail(err, errlen, "'%s=' needs a value", tok);
	}
	free(buf);
	return r;
}

static int
pci_word(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	return key ? criterion(ctx, key, val, err, errlen) : bare_word(ctx, val, err, errlen);
}

int
match_parse(const char *text, struct match *m, char *err, size_t errlen)
{
	int r;

	memset(m, 0, sizeof(*m));
	m->index = -1;
	m->text = xstrdup(text);
	r = match_words(text, pci_word, m, err, errlen);
	if (r == 0 && (m->keys & ~(unsigned)MATCH_SELECTORS) == 0)
		r = match_fail(err, errlen, "%s", m->keys ? "index/all/vf/numvfs/force/interface "
		    "need criteria to pick from" : "empty match: name the device, e.g. 10de:1b81");
	if (r == 0 && (m->keys & M_INDEX) && (m->keys & M_ALL))
		r = match_fail(err, errlen, "%s", "'index' and 'all' exclude each other");
	if (r == 0 && (m->keys & M_VF) && (m->keys & M_ALL))
		r = match_fail(err, errlen, "%s", "'vf' takes one VF of one PF: drop 'all'");
	if (r == 0 && (m->keys & M_NUMVFS) && !(m->keys & M_VF))
		r = match_fail(err, errlen, "%s", "'numvfs' creates VFs for a 'vf=N' rule: "
		    "add vf=N");
	if (r == 0 && (m->keys & M_NUMVFS) && m->numvfs <= m->vf)
		r = match_fail(err, errlen, "%s", "'numvfs' must exceed 'vf' (VFs count "
		    "from 0): numvfs=4 creates VFs 0 to 3");
	if (r)
		match_free(m);
	return r;
}

void
match_free(struct match *m)
{
	if (m->keys & M_NAME)
		regfree(&m->name_re);
	free(m->driver);
	free(m->slot);
	free(m->reset);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

static bool
addr_matches(const struct match *m, const struct pci_addr *a)
{
	return ((m->addr_wild & PCI_WILD_DOMAIN) || m->addr.domain == a->domain) &&
	    ((m->addr_wild & PCI_WILD_BUS) || m->addr.bus == a->bus) &&
	    ((m->addr_wild & PCI_WILD_SLOT) || m->addr.slot == a->slot) &&
	    ((m->addr_wild & PCI_WILD_FUNC) || m->addr.func == a->func);
}

bool
match_ids(const struct match *m, const struct device *d)
{
	unsigned k = m->keys;

	return (!(k & M_VENDOR) || d->vendor == m->vendor) &&
	    (!(k & M_DEVICE) || d->device == m->device) &&
	    (!(k & M_ADDRESS) || addr_matches(m, &d->addr));
}

bool
match_device(const struct match *m, const struct device *d)
{
	unsigned k = m->keys;
	const char *drv;

	if (d->bridge || !match_ids(m, d))
		return false;
	if ((k & M_SUBSYS) && (!d->has_subsys || d->subvendor != m->subvendor ||
	    d->subdevice != m->subdevice))
		return false;
	if ((k & M_CLASS) && (d->class >> (4 * (6 - m->class_digits))) != m->class)
		return false;
	if (k & M_DRIVER) {
		drv = dev_identity_driver(d);
		if (strcmp(m->driver, "none") == 0 ? drv != NULL :
		    (drv == NULL || strcmp(drv, m->driver) != 0))
			return false;
	}
	if ((k & M_SLOT) && (d->slot == NULL || strcmp(d->slot, m->slot) != 0))
		return false;
	if ((k & M_SERIAL) && (d->serial == NULL || strcasecmp(d->serial, m->serial) != 0))
		return false;
	if ((k & M_NAME) && (d->name == NULL || regexec(&m->name_re, d->name, 0, NULL, 0) != 0))
		return false;
	return true;
}

bool
match_is_address_only(const struct match *m)
{
	return (m->keys & ~(unsigned)MATCH_SELECTORS) == M_ADDRESS;
}
