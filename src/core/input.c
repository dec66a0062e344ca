#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "util.h"

/* linux/input.h's BUS_* numbers of the buses an administrator meets. */
static const struct {
	const char *name;
	unsigned bus;
} buses[] = {
	{ "pci", 0x01 }, { "usb", 0x03 }, { "bluetooth", 0x05 }, { "virtual", 0x06 },
	{ "isa", 0x10 }, { "i8042", 0x11 }, { "i2c", 0x18 }, { "host", 0x19 },
	{ "spi", 0x1c }, { "rmi", 0x1d },
};

static const struct {
	const char *name;
	unsigned kind;
} kinds[] = {
	{ "keyboard", INPUT_KEYBOARD }, { "mouse", INPUT_MOUSE }, { "touchpad", INPUT_TOUCHPAD },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *
input_bus_name(unsigned bustype)
{
	size_t i;

	for (i = 0; i < N(buses); i++)
		if (buses[i].bus == bustype)
			return buses[i].name;
	return NULL;
}

const char *
input_kind_name(unsigned k)
{
	switch (k) {
	case INPUT_KEYBOARD: return "keyboard";
	case INPUT_MOUSE: return "mouse";
	case INPUT_TOUCHPAD: return "touchpad";
	case INPUT_KEYBOARD | INPUT_MOUSE: return "keyboard+mouse";
	case 0: return "other";
	default: return "keyboard+pointer";
	}
}

static int
criterion(struct input_match *m, const char *key, const char *val, char *err, size_t errlen)
{
	size_t i;

	if (strcmp(key, "vendor") == 0 || strcmp(key, "product") == 0) {
		bool v = key[0] == 'v';

		if (match_key(&m->keys, v ? I_VENDOR : I_PRODUCT, key, err, errlen))
			return -1;
		if (!match_hex4(val, v ? &m->vendor : &m->product))
			return match_fail(err, errlen, "%s wants 4 hex digits, e.g. 046d", key);
	} else if (strcmp(key, "bus") == 0) {
		if (match_key(&m->keys, I_BUS, key, err, errlen))
			return -1;
		for (i = 0; i < N(buses) && strcmp(buses[i].name, val); i++)
			;
		if (i == N(buses))
			return match_fail(err, errlen, "bus=%s: one of i8042 i2c usb bluetooth "
			    "host spi rmi pci isa virtual", val);
		m->bus = buses[i].bus;
	} else if (strcmp(key, "kind") == 0) {
		if (match_key(&m->keys, I_KIND, key, err, errlen))
			return -1;
		for (i = 0; i < N(kinds) && strcmp(kinds[i].name, val); i++)
			;
		if (i == N(kinds))
			return match_fail(err, errlen, "kind=%s: one of keyboard mouse touchpad", val);
		m->kind = kinds[i].kind;
	} else if (strcmp(key, "phys") == 0) {
		if (match_key(&m->keys, I_PHYS, key, err, errlen))
			return -1;
		m->phys = xstrdup(val);
	} else if (strcmp(key, "grab") == 0 || strcmp(key, "repeat") == 0) {
		int *opt = key[0] == 'g' ? &m->grab : &m->repeat;
		const char *yes = key[0] == 'g' ? "all" : "on", *no = key[0] == 'g' ? "none" : "off";

		if (*opt >= 0)
			return match_fail(err, errlen, "%s given twice", key);
		if (strcmp(val, yes) && strcmp(val, no))
			return match_fail(err, errlen, key[0] == 'g' ? "grab=%s: all or none" :
			    "repeat=%s: on or off", val);
		*opt = strcmp(val, yes) == 0;
	} else if (strcmp(key, "name") == 0) {
		if (match_key(&m->keys, I_NAME, key, err, errlen))
			return -1;
		if (match_regcomp(&m->name_re, val, err, errlen) < 0) {
			m->keys &= ~(unsigned)I_NAME;
			return -1;
		}
	} else {
		return match_fail(err, errlen, "unknown criterion '%s' (one of vendor product "
		    "name bus phys kind; options all grab= repeat=)", key);
	}
	return 0;
}

static int
input_word(void *ctx, const char *key, const char *val, char *err, size_t errlen)
{
	struct input_match *m = ctx;
	unsigned v, p;

	if (key)
		return criterion(m, key, val, err, errlen);
	if (strcmp(val, "all") == 0) {
		m->all = true;
		return 0;
	}
	if (!match_id_pair(val, &v, &p))
		return match_fail(err, errlen, "'%s' is neither VVVV:PPPP, all nor key=value", val);
	if (match_key(&m->keys, I_VENDOR, "vendor", err, errlen) ||
	    match_key(&m->keys, I_PRODUCT, "product", err, errlen))
		return -1;
	m->vendor = v;
	m->product = p;
	return 0;
}

int
input_match_parse(const char *text, struct input_match *m, char *err, size_t errlen)
{
	int r;

	memset(m, 0, sizeof(*m));
	m->grab = m->repeat = -1;
	m->text = xstrdup(text);
	r = match_words(text, input_word, m, err, errlen);
	if (r == 0 && m->keys == 0)
		r = match_fail(err, errlen, "%s", "empty match: name the device, e.g. "
		    "name=\"AT Translated Set 2 keyboard\"");
	if (r)
		input_match_free(m);
	return r;
}

void
input_match_free(struct input_match *m)
{
	if (m->keys & I_NAME)
		regfree(&m->name_re);
	free(m->phys);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

bool
input_match_device(const struct input_match *m, const struct input_dev *d)
{
	unsigned k = m->keys;

	return !(((k & I_VENDOR) && d->vendor != m->vendor) ||
	    ((k & I_PRODUCT) && d->product != m->product) ||
	    ((k & I_BUS) && d->bustype != m->bus) ||
	    ((k & I_KIND) && !(d->kinds & m->kind)) ||
	    ((k & I_PHYS) && (d->phys == NULL || strcmp(d->phys, m->phys) != 0)) ||
	    ((k & I_NAME) && (d->name == NULL || regexec(&m->name_re, d->name, 0, NULL, 0))));
}

bool
input_grabs(const struct input_match *m, const struct input_dev *d)
{
	return m->grab >= 0 ? m->grab : (d->kinds & INPUT_KEYBOARD) != 0;
}

bool
input_repeats(const struct input_match *m, const struct input_dev *d)
{
	return m->repeat >= 0 ? m->repeat : (d->kinds & INPUT_KEYBOARD) != 0;
}

const char *
input_stable_path(const struct input_dev *d)
{
	return d->by_id ? d->by_id : d->by_path;
}

char *
input_describe(const struct input_dev *d)
{
	const char *bus = input_bus_name(d->bustype);
	char busbuf[8];

	if (bus == NULL) {
		snprintf(busbuf, sizeof(busbuf), "bus %02x", d->bustype & 0xff);
		bus = busbuf;
	}
	return xasprintf("%s '%s' (%s %s%s%s)", d->event, d->name ? d->name : "", bus,
	    input_kind_name(d->kinds), d->phys ? ", " : "", d->phys ? d->phys : "");
}

void
input_inv_free(struct input_inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->n; i++) {
		free(inv->v[i].name);
		free(inv->v[i].phys);
		free(inv->v[i].by_id);
		free(inv->v[i].by_path);
	}
	free(inv->v);
	memset(inv, 0, sizeof(*inv));
}
