#include "hookshape.h"

#include <string.h>

static const char *const ops[] = { "prepare", "start", "started", "stopped", "release",
	"migrate", "restore", "reconnect", "attach" };

bool
hook_shape(int argc, char **argv)
{
	size_t i;

	if (argc != 5)
		return false;
	for (i = 0; i < sizeof(ops) / sizeof(*ops); i++)
		if (strcmp(argv[2], ops[i]) == 0)
			return true;
	return false;
}
