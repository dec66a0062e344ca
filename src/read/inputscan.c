#include "inputscan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define CAP_WORDS 16		/* 1024 bits: KEY_MAX is 0x2ff */
#define LONG_BITS (8 * sizeof(unsigned long))

/* A capabilities file: hex words, the highest first (the kernel's
 * bitmap format); cap[0] holds bits 0..63. */
static void
caps(int dfd, const char *name, unsigned long *cap)
{
	char buf[1024], *w, *save = NULL, *words[CAP_WORDS];
	size_t n = 0, i;

	memset(cap, 0, CAP_WORDS * sizeof(*cap));
	if (read_small(dfd, name, buf, sizeof(buf)) <= 0)
		return;
	for (w = strtok_r(buf, " \n", &save); w && n < CAP_WORDS; w = strtok_r(NULL, " \n", &save))
		words[n++] = w;
	for (i = 0; i < n; i++)
		cap[i] = strtoul(words[n - 1 - i], NULL, 16);
}

static bool
bit(const unsigned long *cap, unsigned b)
{
	return b / LONG_BITS < CAP_WORDS && (cap[b / LONG_BITS] >> (b % LONG_BITS)) & 1;
}

/* As udev's input_id: a full keyboard has ESC, the digits and Q to D;
 * a mouse relative X/Y and a left button; a touchpad absolute X/Y and a
 * finger tool, and no pen. */
static unsigned
kinds_of(int dfd)
{
	unsigned long ev[CAP_WORDS], key[CAP_WORDS], rel[CAP_WORDS], abs[CAP_WORDS];
	unsigned k = 0;

	caps(dfd, "capabilities/ev", ev);
	caps(dfd, "capabilities/key", key);
	caps(dfd, "capabilities/rel", rel);
	caps(dfd, "capabilities/abs", abs);
	if (bit(ev, 1) && (key[0] & 0xfffffffeUL) == 0xfffffffeUL)
		k |= INPUT_KEYBOARD;
	if (bit(ev, 2) && bit(rel, 0) && bit(rel, 1) && bit(key, 0x110))
		k |= INPUT_MOUSE;
	if (bit(ev, 3) && bit(abs, 0) && bit(abs, 1) && bit(key, 0x145) && !bit(key, 0x140))
		k |= INPUT_TOUCHPAD;
	return k;
}

static char *
text(int dfd, const char *name)
{
	char buf[512];

	return read_small(dfd, name, buf, sizeof(buf)) > 0 && buf[0] ? xstrdup(buf) : NULL;
}

static unsigned
hex(int dfd, const char *name)
{
	char buf[32];

	return read_small(dfd, name, buf, sizeof(buf)) > 0 ? (unsigned)strtoul(buf, NULL, 16) : 0;
}

/* The links in DEV/input/KIND to event nodes, onto the devices. */
static void
links(const char *dev, const char *kind, struct input_inventory *inv)
{
	char path[PATH_MAX], link[PATH_MAX + 300], target[PATH_MAX], *base;
	struct dirent *e;
	ssize_t n;
	size_t i;
	DIR *d;

	snprintf(path, sizeof(path), "%s/input/%s", dev, kind);
	if ((d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/');
		base = base ? base + 1 : target;
		for (i = 0; i < inv->n; i++) {
			char **slot = kind[3] == 'i' ? &inv->v[i].by_id : &inv->v[i].by_path;

			/* the first name in directory order is as good as any;
			 * sorted, it is the same one every run */
			if (strcmp(inv->v[i].event, base) == 0 &&
			    (*slot == NULL || strcmp(strrchr(*slot, '/') + 1, e->d_name) > 0)) {
				free(*slot);
				*slot = xasprintf("/dev/input/%s/%s", kind, e->d_name);
			}
		}
	}
	closedir(d);
}

char *
input_event_of(const char *dev, const char *path)
{
	char *mapped, *real, *base, *out = NULL;

	if (strncmp(path, "/dev/", 5) != 0)
		return NULL;
	mapped = xasprintf("%s/%s", dev, path + 5);
	real = realpath(mapped, NULL);
	free(mapped);
	if (real && (base = strrchr(real, '/')) != NULL && strncmp(base + 1, "event", 5) == 0)
		out = xstrdup(base + 1);
	free(real);
	return out;
}

static int
cmp_event(const void *a, const void *b)
{
	const struct input_dev *x = a, *y = b;

	return atoi(x->event + 5) - atoi(y->event + 5);
}

int
input_scan(const char *sysfs, const char *dev, struct input_inventory *inv)
{
	char path[PATH_MAX];
	struct input_dev *d;
	struct dirent *e;
	DIR *dir;
	int dfd;

	memset(inv, 0, sizeof(*inv));
	snprintf(path, sizeof(path), "%s/class/input", sysfs);
	if ((dir = opendir(path)) == NULL) {
		if (errno == ENOENT)
			return 0;
		error_set("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, "event", 5) != 0 || strlen(e->d_name) >= sizeof(d->event))
			continue;
		/* the input device the event node belongs to */
		snprintf(path, sizeof(path), "%s/class/input/%s/device", sysfs, e->d_name);
		if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			continue;	/* gone meanwhile */
		d = PUSH(inv->v, inv->n, inv->cap);
		memset(d, 0, sizeof(*d));
		snprintf(d->event, sizeof(d->event), "%s", e->d_name);
		d->name = text(dfd, "name");
		d->phys = text(dfd, "phys");
		d->bustype = hex(dfd, "id/bustype");
		d->vendor = hex(dfd, "id/vendor");
		d->product = hex(dfd, "id/product");
		d->kinds = kinds_of(dfd);
		close(dfd);
	}
	closedir(dir);
	qsort(inv->v, inv->n, sizeof(*inv->v), cmp_event);
	links(dev, "by-id", inv);
	links(dev, "by-path", inv);
	return 0;
}
