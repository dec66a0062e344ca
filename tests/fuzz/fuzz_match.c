/* MATCH expressions: parse anything, evaluate what parses. */
#include "match.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct inventory inv;
	char *text = xstrndup((const char *)data, size), err[256];
	struct match m;
	size_t i;

	if (inv.n == 0)
		fuzz_host(&inv);
	if (match_parse(text, &m, err, sizeof(err)) == 0) {
		for (i = 0; i < inv.n; i++)
			(void)match_device(&m, &inv.devs[i]);
		(void)match_is_address_only(&m);
		match_free(&m);
	} else if (err[0] == '\0') {
		abort();	/* a refusal always says why */
	}
	free(text);
	return 0;
}
