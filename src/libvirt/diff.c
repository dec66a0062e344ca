#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CONTEXT 3
/* Past this many cells the middle is shown as one replacement: domain
 * XML diffs touch a few hostdev lines, never thousands. */
#define MAX_CELLS (4u << 20)

struct lines {
	const char **p;
	size_t *len;
	size_t n;
};

static void
split(const char *s, struct lines *l)
{
	size_t cap = 0;
	const char *nl;

	memset(l, 0, sizeof(*l));
	while (*s) {
		nl = strchr(s, '\n');
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->p = xreallocarray(l->p, cap, sizeof(*l->p));
			l->len = xreallocarray(l->len, cap, sizeof(*l->len));
		}
		l->p[l->n] = s;
		l->len[l->n++] = nl ? (size_t)(nl - s) : strlen(s);
		s = nl ? nl + 1 : s + strlen(s);
	}
}

static bool
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

/* One edit script entry per output line: ' ', '-' or '+'. */
struct op {
	char kind;
	size_t ai, bi;
};

static size_t
script(const struct lines *a, const struct lines *b, struct op *ops)
{
	size_t pre = 0, suf = 0, n = 0, i, j, ma, mb;
	unsigned *t = NULL;

	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	    same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	ma = a->n - pre - suf;
	mb = b->n - pre - suf;
	for (i = 0; i < pre; i++)
		ops[n++] = (struct op){ ' ', i, i };
	if ((ma + 1) * (mb + 1) <= MAX_CELLS && ma && mb) {
		/* LCS table over the middle, walked from the front */
		t = xcalloc((ma + 1) * (mb + 1), sizeof(*t));
		for (i = ma; i-- > 0;)
			for (j = mb; j-- > 0;)
				t[i * (mb + 1) + j] = same(a, pre + i, b, pre + j) ?
				    t[(i + 1) * (mb + 1) + j + 1] + 1 :
				    (t[(i + 1) * (mb + 1) + j] > t[i * (mb + 1) + j + 1] ?
				    t[(i + 1) * (mb + 1) + j] : t[i * (mb + 1) + j + 1]);
	}
	for (i = 0, j = 0; i < ma || j < mb;) {
		if (t && i < ma && j < mb && same(a, pre + i, b, pre + j)) {
			ops[n++] = (struct op){ ' ', pre + i++, pre + j++ };
		} else if (i < ma && (j == mb || t == NULL ||
		    t[(i + 1) * (mb + 1) + j] >= t[i * (mb + 1) + j + 1])) {
			ops[n++] = (struct op){ '-', pre + i++, pre + j };
		} else {
			ops[n++] = (struct op){ '+', pre + i, pre + j++ };
		}
	}
	for (i = 0; i < suf; i++)
		ops[n++] = (struct op){ ' ', a->n - suf + i, b->n - suf + i };
	free(t);
	return n;
}

int
diff_unified(FILE *out, const char *a, const char *b, const char *label_a,
    const char *label_b)
{
	struct lines la, lb;
	struct op *ops;
	size_t n, i, changes = 0;

	split(a, &la);
	split(b, &lb);
	ops = xcalloc(la.n + lb.n + 1, sizeof(*ops));
	n = script(&la, &lb, ops);
	for (i = 0; i < n; i++)
		changes += ops[i].kind != ' ';
	if (changes)
		fprintf(out, "--- %s\n+++ %s\n", label_a, label_b);
	for (i = 0; i < n;) {
		size_t start, end, k, ca = 0, cb = 0;

		if (ops[i].kind == ' ') {
			i++;
			continue;
		}
		/* a hunk: changes closer than 2*CONTEXT lines apart merge */
		start = i > CONTEXT ? i - CONTEXT : 0;
		end = i;
		for (k = i; k < n; k++) {
			if (ops[k].kind != ' ')
				end = k;
			else if (k - end > 2 * CONTEXT)
				break;
		}
		end = end + CONTEXT + 1 < n ? end + CONTEXT + 1 : n;
		for (k = start; k < end; k++) {
			ca += ops[k].kind != '+';
			cb += ops[k].kind != '-';
		}
		fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ops[start].ai + (ca != 0), ca,
		    ops[start].bi + (cb != 0), cb);
		for (k = start; k < end; k++) {
			const struct lines *l = ops[k].kind == '+' ? &lb : &la;
			size_t idx = ops[k].kind == '+' ? ops[k].bi : ops[k].ai;

			fprintf(out, "%c%.*s\n", ops[k].kind, (int)l->len[idx], l->p[idx]);
		}
		i = end;
	}
	free(ops);
	free(la.p);
	free(la.len);
	free(lb.p);
	free(lb.len);
	return (int)changes;
}
