#include "testlib.h"

static void
parse_and_format(void **state)
{
	struct pci_addr a;
	char buf[PCI_ADDR_STRLEN];

	(void)state;
	assert_int_equal(pci_addr_parse("01:00.1", &a, NULL), 0);
	assert_string_equal(pci_addr_fmt(&a, buf), "0000:01:00.1");
	assert_int_equal(pci_addr_parse("0000:0A:1f.7", &a, NULL), 0);
	assert_string_equal(pci_addr_fmt(&a, buf), "0000:0a:1f.7");
	/* Intel VMD puts devices in domain 10000 */
	assert_int_equal(pci_addr_parse("10000:e1:00.0", &a, NULL), 0);
	assert_int_equal(a.domain, 0x10000);
	assert_string_equal(pci_addr_fmt(&a, buf), "10000:e1:00.0");
}

static void
rejects_bad(void **state)
{
	struct pci_addr a;
	unsigned wild;
	static const char *bad[] = { "", "01:00", "01:20.0", "01:00.8", "100:00.0",
		"0000:01:00.0x", "g0:00.0", "0000:01:00:0", "*:00.0", "123456:00:00.0" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(pci_addr_parse(bad[i], &a, NULL), -1);
	assert_int_equal(pci_addr_parse("0000:0a:*.*", &a, &wild), 0);
	assert_int_equal(wild, PCI_WILD_SLOT | PCI_WILD_FUNC);
	assert_int_equal(a.bus, 0x0a);
}

static void
orders_by_domain_bus_slot_function(void **state)
{
	struct pci_addr a, b;

	(void)state;
	pci_addr_parse("0000:ff:1f.7", &a, NULL);
	pci_addr_parse("10000:00:00.0", &b, NULL);
	assert_true(pci_addr_cmp(&a, &b) < 0);
	pci_addr_parse("0000:01:00.1", &a, NULL);
	pci_addr_parse("0000:01:01.0", &b, NULL);
	assert_true(pci_addr_cmp(&a, &b) < 0);
	assert_true(pci_addr_cmp(&b, &a) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_format),
		cmocka_unit_test(rejects_bad),
		cmocka_unit_test(orders_by_domain_bus_slot_function),
	};

	return cmocka_run_group_tests_name("pciaddr", tests, NULL, NULL);
}
