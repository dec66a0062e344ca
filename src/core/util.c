#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char last_error[1024];

static void
oom(void)
{
	static const char m[] = "pthook: out of memory\n";

	(void)!write(STDERR_FILENO, m, sizeof(m) - 1);
	_exit(EXIT_HOST);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		oom();
	p = realloc(p, (n && size) ? n * size : 1);
	if (p == NULL)
		oom();
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void *
grow(void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 8;
	return xreallocarray(arr, *cap, size);
}

void
msg(const char *fmt, ...)
{
	va_list ap;

	fputs("pthook: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
error_set(const char *fmt, ...)
{
	char buf[sizeof(last_error)];
	va_list ap;

	/* through a copy: error_get() may be among the arguments */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memcpy(last_error, buf, sizeof(buf));
}

const char *
error_get(void)
{
	return last_error[0] ? last_error : "unknown error";
}

int
read_small(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n;
	int fd, saved;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	saved = errno;
	close(fd);
	if (n < 0) {
		errno = saved;
		return -1;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

char *
read_fd(int fd, const char *path, size_t max, size_t *len)
{
	size_t have = 0, cap = 4096;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (have + 1 >= cap)
			buf = xreallocarray(buf, cap *= 2, 1);
		n = read(fd, buf + have, cap - have - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		if (have > max)
			break;
	}
	if (n < 0 || have > max) {
		if (n < 0)
			error_set("cannot read %s: %s", path, strerror(errno));
		else
			error_set("%s is larger than %zu MiB", path, max >> 20);
		free(buf);
		return NULL;
	}
	buf[have] = '\0';
	*len = have;
	return buf;
}

char *
read_file(const char *path, size_t max, size_t *len)
{
	char *buf;
	int fd;

	if (strcmp(path, "-") == 0)
		return read_fd(STDIN_FILENO, "standard input", max, len);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		error_set("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = read_fd(fd, path, max, len);
	close(fd);
	return buf;
}

int
write_small(const char *path, const char *val)
{
	const char *shown = strcmp(val, "\n") ? val : "";	/* one-line messages */
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	/* No O_TRUNC: the kernel ignores it on an attribute, and a fake
	 * tree must keep the old value when the write fails, as sysfs
	 * does; a file shorter than the old value is cut to it after. */
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
		error_set("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, len);
	if (n == (ssize_t)len)
		(void)!ftruncate(fd, (off_t)len);
	if (n != (ssize_t)len) {
		error_set("writing \"%s\" to %s failed: %s", shown, path,
		    n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		error_set("writing \"%s\" to %s failed: %s", shown, path, strerror(errno));
		return -1;
	}
	return 0;
}

bool
is_hex_string(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || s[i] == '\0')
			return false;
	return len > 0;
}

char *
str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

void
strlist_add(struct strlist *l, char *owned)
{
	*PUSH(l->v, l->n, l->cap) = owned;
}

void
strlist_addf(struct strlist *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_add(l, xvasprintf(fmt, ap));
	va_end(ap);
}

char *
strlist_join(const struct strlist *l, const char *sep)
{
	size_t i, len = 1;
	char *out, *p;

	for (i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + (i ? strlen(sep) : 0);
	p = out = xmalloc(len);
	*p = '\0';
	for (i = 0; i < l->n; i++)
		p = stpcpy(stpcpy(p, i ? sep : ""), l->v[i]);
	return out;
}

void
strlist_print(FILE *f, const struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		fprintf(f, "%s\n", l->v[i]);
}

bool
strlist_has(const struct strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
