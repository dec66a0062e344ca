/* Unified diff of two texts, line by line, as diff -u prints it. */
#ifndef PTHOOK_DIFF_H
#define PTHOOK_DIFF_H

#include <stdio.h>

/* Returns the number of changed lines (0: identical). */
int diff_unified(FILE *out, const char *a, const char *b, const char *label_a,
    const char *label_b);

#endif
