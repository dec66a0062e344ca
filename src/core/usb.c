#include "usb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "util.h"

static bool
hex2(const char *s, unsigned *out)
{
	if (strlen(s) != 2 || !is_hex_string(s, 2))
		return false;
	*out = (unsigned)strtoul(s, NULL, 16);
	return true;
}

static const struct {
	const char *name;
	unsigned key;
	size_t off;	/* of the unsigned it sets; 0: not a hex field */
	int digits;
} keys[] = {
	{ "vendor", U_VENDOR, offsetof(struct usb_match, vendor), 4 },
	{ "product", U_PRODUCT, offsetof(struct usb_match, product), 4 },
	{ "class", U_CLASS, offsetof(struct usb_match, class), 2 },
	{ "subclass", U_SUBCLASS, offsetof(struct usb_match, subclass), 2 },
	{ "protocol", U_PROTOCOL, offsetof(struct usb_match, protocol), 2 },
	{ "bus", U_BUS, 0, 0 },
	{ "port", U_PORT, 0, 0 },
	{ "serial", U_SERIAL, 0, 0 },
	{ "name", U_NAME, 0, 0 },
};

static int
criterion(struct usb_match *m, const char *key, const char *val, char *err, size_t errlen)
{
	size_t i;
	char *end;
	long bus;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i].name, key); i++)
		;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return match_fail(err, errlen, "unknown criterion '%s' (one of vendor product "
		    "name class subclass protocol bus port serial)", key);
	if (match_key(&m->keys, keys[i].key, key, err, errlen))
		return -1;
	if (keys[i].digits) {
		unsigned *out = (unsigned *)((char *)m + keys[i].off);

		if (keys[i].digits == 4 ? !match_hex4(val, out) : !hex2(val, out))
			return match_fail(err, errlen, keys[i].digits == 4 ?
			    "%s wants 4 hex digits, e.g. 046d" : "%s wants 2 hex digits, e.g. 03", key);
	} else if (keys[i].key == U_BUS) {
		bus = strtol(val, &end, 10);
		if (*end || bus < 1 || bus > 999)
			return match_fail(err, errlen, "%s wants a USB bus number, e.g. 1", key);
		m->bus = (unsigned)bus;
	} else if (keys[i].key == U_PORT) {
		/* "1-2.3": bus, '-', port numbers joined by '.' */
		if (strlen(val) >= sizeof(((struct usb_dev *)0)->port) ||
		    strspn(val, "0123456789-.") != strlen(val) || !strchr(val, '-'))
			return match_fail(err, errlen, "%s wants a port path as in "
			    "/sys/bus/usb/devices, e.g. 1-2.3", key);
		m->port = xstrdup(val);
	} else if (keys[i].key == U_SERIAL) {
		m->serial = xstrdup(val);
	} else if (match_regcomp(&m->name_re, val, err, errlen) < 0) {
		m->keys &= ~(unsigned)U_NAME;
		return -1;
	}
	return 0;
}

static int
usb_word(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct usb_match *m = ctx;
	unsigned v, p;

	if (key)
		return criterion(m, key, val, err, errlen);
	if (!match_id_pair(val, &v, &p))
		return match_fail(err, errlen, "'%s' is neither VVVV:PPPP nor key=value", val);
	if (match_key(&m->keys, U_VENDOR, "vendor", err, errlen) ||
	    match_key(&m->keys, U_PRODUCT, "product", err, errlen))
		return -1;
	m->vendor = v;
	m->product = p;
	return 0;
}

int
usb_match_parse(const char *text, struct usb_match *m, char *err, size_t errlen)
{
	int r;

	memset(m, 0, sizeof(*m));
	m->text = xstrdup(text);
	r = match_words(text, usb_word, m, err, errlen);
	if (r == 0 && m->keys == 0)
		r = match_fail(err, errlen, "%s", "empty match: name the device, e.g. 046d:c52b");
	if (r)
		usb_match_free(m);
	return r;
}

void
usb_match_free(struct usb_match *m)
{
	if (m->keys & U_NAME)
		regfree(&m->name_re);
	free(m->port);
	free(m->serial);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

static bool
class_holds(const struct usb_match *m, unsigned class, unsigned subclass, unsigned protocol)
{
	return (!(m->keys & U_CLASS) || m->class == class) &&
	    (!(m->keys & U_SUBCLASS) || m->subclass == subclass) &&
	    (!(m->keys & U_PROTOCOL) || m->protocol == protocol);
}

static bool
name_holds(const struct usb_match *m, const char *name)
{
	return name && regexec(&m->name_re, name, 0, NULL, 0) == 0;
}

bool
usb_match_device(const struct usb_match *m, const struct usb_dev *d)
{
	unsigned k = m->keys;
	size_t i;

	if (((k & U_VENDOR) && d->vendor != m->vendor) ||
	    ((k & U_PRODUCT) && d->product != m->product) ||
	    ((k & U_BUS) && d->bus != m->bus) ||
	    ((k & U_PORT) && strcmp(d->port, m->port) != 0) ||
	    ((k & U_SERIAL) && (d->serial == NULL || strcmp(d->serial, m->serial) != 0)) ||
	    ((k & U_NAME) && !name_holds(m, d->name) && !name_holds(m, d->dbname)))
		return false;
	if (class_holds(m, d->class, d->subclass, d->protocol))
		return true;
	for (i = 0; i < d->nifaces; i++)
		if (class_holds(m, d->ifaces[i].class, d->ifaces[i].subclass,
		    d->ifaces[i].protocol))
			return true;
	return false;
}

void
usb_dev_free(struct usb_dev *d)
{
	free(d->ifaces);
	free(d->serial);
	free(d->name);
	free(d->dbname);
	memset(d, 0, sizeof(*d));
}

void
usb_inv_free(struct usb_inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++)
		usb_dev_free(&inv->v[i]);
	free(inv->v);
	memset(inv, 0, sizeof(*inv));
}

char *
usb_describe(const struct usb_dev *d)
{
	const char *n = d->name ? d->name : d->dbname;

	return xasprintf("%s %04x:%04x%s%s", d->port, d->vendor, d->product,
	    n ? " " : "", n ? n : "");
}
