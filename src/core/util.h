/* Small helpers shared by every module: allocation that cannot fail,
 * one-line diagnostics, a last-error slot, and growable arrays. */
#ifndef PTHOOK_UTIL_H
#define PTHOOK_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes: SPEC section 6. */
enum {
	EXIT_START = 0,		/* done / VM may start */
	EXIT_REFUSED = 1,	/* refused by policy */
	EXIT_USAGE = 2,		/* usage or config error */
	EXIT_HOST = 3,		/* host or libvirt error */
};

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF(1, 0);

/* Grow *arr so that it holds at least n + 1 elements of size. */
void *grow(void *arr, size_t *cap, size_t n, size_t size);
#define PUSH(arr, n, cap) \
	((arr) = grow((arr), &(cap), (n), sizeof(*(arr))), &(arr)[(n)++])

/* "pthook: <msg>" on stderr; the program name is fixed because libvirt
 * runs us as "qemu" and administrators grep for pthook. */
void msg(const char *fmt, ...) PRINTF(1, 2);

/* Library code reports failures here instead of exiting, so callers
 * decide the exit code and tests can inspect the text. */
void error_set(const char *fmt, ...) PRINTF(1, 2);
const char *error_get(void);

/* Read a small text file relative to dirfd into buf, strip the trailing
 * newline.  Returns the length or -1 with errno set. */
int read_small(int dirfd, const char *name, char *buf, size_t size);

/* Read a whole file ("-": stdin) or an open fd (path names it in
 * messages), at most max bytes, into a NUL-terminated buffer.  Returns
 * NULL with error_set() on failure; *len gets the length. */
char *read_file(const char *path, size_t max, size_t *len);
char *read_fd(int fd, const char *path, size_t max, size_t *len);

/* Write val to a sysfs attribute in one write(2), as the kernel wants
 * it.  0, or -1 with error_set() naming the path. */
int write_small(const char *path, const char *val);

bool is_hex_string(const char *s, size_t len);
char *str_trim(char *s);

/* A growable list of owned strings. */
/* What a systemd unit name or a sysfs device name may hold: nothing an
 * option, a glob or a path could be made of ("efi-framebuffer.0",
 * "display-manager.service", systemd's \x2d escapes). */
#define UNIT_NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.@\\-"

struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_add(struct strlist *l, char *owned);
void strlist_addf(struct strlist *l, const char *fmt, ...) PRINTF(2, 3);
/* Each string on a line of f. */
void strlist_print(FILE *f, const struct strlist *l);
bool strlist_has(const struct strlist *l, const char *s);
/* The strings with sep between them, malloc'd. */
char *strlist_join(const struct strlist *l, const char *sep);
void strlist_free(struct strlist *l);
#endif
