/* pthook.ini parsing: any bytes give a config or one error, never a crash. */
#include "config.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;

	config_init(&cfg, "fuzz.ini");
	if (config_parse(&cfg, (const char *)data, size) < 0 && strncmp(error_get(), "fuzz.ini:", 9))
		abort();	/* every error names file:line */
	config_free(&cfg);
	return 0;
}
