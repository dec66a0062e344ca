/* pthook list's input section (list_input.c). */
#ifndef PTHOOK_LIST_INPUT_H
#define PTHOOK_LIST_INPUT_H

#include "cli.h"

/* Text: an "Input" block after USB, none without devices; JSON: the
 * ", \"input\": [...]" member. */
void list_input(const struct opts *o, const struct ctx *c);

#endif
