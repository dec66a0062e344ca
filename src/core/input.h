/* Input devices (evdev) and the input = / input_deny = rules that name
 * them (issue #21), without any I/O: inputscan.c fills the inventory
 * from sysfs and /dev/input/by-*.  The event number changes between
 * boots; a rule names what the device is. */
#ifndef PTHOOK_INPUT_H
#define PTHOOK_INPUT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* What the capabilities say it is, as udev's input_id tells. */
enum { INPUT_KEYBOARD = 1, INPUT_MOUSE = 2, INPUT_TOUCHPAD = 4 };

struct input_dev {
	char event[16];		/* "event3": changes between boots */
	char *name;		/* "AT Translated Set 2 keyboard" */
	char *phys;		/* "isa0060/serio0/input0"; NULL: none */
	unsigned bustype, vendor, product;
	unsigned kinds;		/* INPUT_* */
	char *by_id, *by_path;	/* the stable links to it in DEV/input/by-id,
				 * by-path (whole paths); NULL: none */
};

struct input_inventory {
	struct input_dev *v;
	size_t n, cap;
};

enum {
	I_VENDOR = 1 << 0,
	I_PRODUCT = 1 << 1,
	I_NAME = 1 << 2,
	I_BUS = 1 << 3,
	I_PHYS = 1 << 4,
	I_KIND = 1 << 5,
};

struct input_match {
	unsigned keys;
	unsigned vendor, product, bus, kind;
	char *phys;
	regex_t name_re;
	bool all;		/* every match, not exactly one */
	int grab, repeat;	/* grab=all|none, repeat=on|off: 1, 0; -1 not
				 * given (a keyboard grabs and repeats) */
	char *text;		/* as written, for messages */
};

/* Returns 0, or -1 with a reason (no file:line) in err. */
int input_match_parse(const char *text, struct input_match *m, char *err, size_t errlen);
void input_match_free(struct input_match *m);
bool input_match_device(const struct input_match *m, const struct input_dev *d);

/* "i8042", "usb", ... for a BUS_* number; NULL: not one pthook names. */
const char *input_bus_name(unsigned bustype);
/* "keyboard", "mouse", "touchpad", "keyboard+mouse", or "other". */
const char *input_kind_name(unsigned kinds);
/* What <source grab= repeat=> the element for d gets under m. */
bool input_grabs(const struct input_match *m, const struct input_dev *d);
bool input_repeats(const struct input_match *m, const struct input_dev *d);
/* The stable path libvirt should open: by-id, else by-path, else NULL
 * (only the event node, which changes between boots). */
const char *input_stable_path(const struct input_dev *d);
/* "event3 'AT Translated Set 2 keyboard' (i8042 keyboard, isa0060/serio0/input0)" */
char *input_describe(const struct input_dev *d);

void input_inv_free(struct input_inventory *inv);

#endif
