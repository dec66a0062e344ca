/* Domain XML: parse, plan, rewrite, serialise, and the result must
 * parse again with exactly the planned PCI hostdevs. */
#include <stdio.h>

#include "config.h"
#include "domxml.h"
#include "plan.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf[] = "[vm \"fuzz\"]\npci = 10de:1b81\npci = 8086:10d3 slot=3\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct inventory inv;
	static struct config cfg;
	struct domxml x, y;
	struct plan p;
	char *out;

	if (inv.n == 0) {
		fuzz_host(&inv);
		config_init(&cfg, "fuzz.ini");
		if (config_parse(&cfg, conf, sizeof(conf) - 1) < 0)
			abort();
	}
	if (domxml_parse((const char *)data, size, &x) < 0)
		return 0;
	plan_build(&(struct plan_input){ .cfg = &cfg, .inv = &inv, .vm = "fuzz",
	    .have_xml = true, .hostdevs = x.hostdevs, .nhostdevs = x.n }, &p);
	domxml_rewrite(&x, &p);
	out = domxml_serialize(&x);
	if (domxml_parse(out, strlen(out), &y) < 0 || y.n != p.assign.n) {
		fprintf(stderr, "rewrite broke the invariant: %zu hostdevs planned, %zu after "
		    "(%s)\n%s\n", p.assign.n, y.n, error_get(), out);
		abort();
	}
	domxml_free(&y);
	free(out);
	plan_free(&p);
	domxml_free(&x);
	return 0;
}
