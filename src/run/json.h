/* Just enough JSON output for --json: strings escaped, NULL as null. */
#ifndef PTHOOK_JSON_H
#define PTHOOK_JSON_H

#include <stdio.h>

#include "util.h"

void json_str(FILE *f, const char *s);
/* ", \"key\": " and s as json_str() writes it: the next member. */
void json_field(FILE *f, const char *key, const char *s);

/* ", \"key\": [...]": the lines of a, then those of b (NULL: none). */
void json_lines(FILE *f, const char *key, const struct strlist *a, const struct strlist *b);

#endif
