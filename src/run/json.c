#include "json.h"

void
json_field(FILE *f, const char *key, const char *s)
{
	fprintf(f, ", \"%s\": ", key);
	json_str(f, s);
}

void
json_str(FILE *f, const char *s)
{
	const unsigned char *c;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*c < 0x20)
				fprintf(f, "\\u%04x", *c);
			else
				fputc(*c, f);
		}
	}
	fputc('"', f);
}

void
json_lines(FILE *f, const char *key, const struct strlist *a, const struct strlist *b)
{
	size_t i, n = a->n + (b ? b->n : 0);

	fprintf(f, ", \"%s\": [", key);
	for (i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, i < a->n ? a->v[i] : b->v[i - a->n]);
	}
	fputs("]", f);
}
