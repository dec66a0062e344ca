/* Just enough JSON output for --json: strings escaped, NULL as null. */
#ifndef PTHOOK_JSON_H
#define PTHOOK_JSON_H

#include <stdio.h>

void json_str(FILE *f, const char *s);

#endif
