#include "testlib.h"

#include "domxml.h"

static const char *host =
    "0000:01:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GPU\n"
    "0000:01:00.1 040300 10de:10f0 1043:85f4 snd_hda_intel 1 - - GPU audio\n"
    "0000:03:00.0 020000 8086:10d3 8086:a01f e1000e 5 3 - NIC\n";

/* The plan for config on the host above, for the hostdevs of x. */
static void
plan_for(struct domxml *x, const char *config, struct inventory *inv,
    struct config *cfg, struct plan *p)
{
	char path[64];

	inv_from(inv, host);
	if (cfg_from(cfg, config, path))
		fail_msg("%s", error_get());
	plan_build(&(struct plan_input){ .cfg = cfg, .inv = inv, .vm = x->name,
	    .have_xml = true, .hostdevs = x->hostdevs, .nhostdevs = x->n }, p);
}

static char *
rewrite(const char *xml, const char *config)
{
	struct inventory inv;
	struct config cfg;
	struct plan p;
	struct domxml x;
	char *out;

	if (domxml_parse(xml, strlen(xml), &x))
		fail_msg("%s", error_get());
	plan_for(&x, config, &inv, &cfg, &p);
	domxml_rewrite(&x, &p);
	out = domxml_serialize(&x);
	plan_free(&p);
	config_free(&cfg);
	inv_free(&inv);
	domxml_free(&x);
	return out;
}

static void
reads_hostdevs(void **state)
{
	static const char xml[] =
	    "<domain><name>vm</name><devices>"
	    "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
	    "<address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/></source></hostdev>"
	    "<hostdev mode='subsystem' type='pci'><source>"
	    "<address bus='3' slot='0' function='0'/></source></hostdev>"
	    "<hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/></source></hostdev>"
	    "<hostdev mode='capabilities' type='storage'><source><block>/dev/sdb</block></source></hostdev>"
	    "</devices></domain>";
	struct domxml x;
	char a[PCI_ADDR_STRLEN];

	(void)state;
	assert_int_equal(domxml_parse(xml, sizeof(xml) - 1, &x), 0);
	assert_string_equal(x.name, "vm");
	assert_int_equal(x.n, 2);
	assert_string_equal(pci_addr_fmt(&x.hostdevs[0].addr, a), "0000:01:00.1");
	assert_true(x.hostdevs[0].managed);
	/* decimal attributes, libvirt's default managed='no' */
	assert_string_equal(pci_addr_fmt(&x.hostdevs[1].addr, a), "0000:03:00.0");
	assert_false(x.hostdevs[1].managed);
	domxml_free(&x);
}

static void
refuses_bad_input(void **state)
{
	static const struct { const char *xml, *why; } bad[] = {
		{ "<domain><name>vm</name>", "line" },
		{ "not xml at all", "line 1" },
		{ "<domain><devices/></domain>", "no <name>" },
		{ "<network><name>x</name></network>", "not <domain>" },
		{ "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/shadow'>]><domain><name>&x;</name></domain>", "DOCTYPE" },
		{ "<domain><name>vm</name><devices><hostdev mode='subsystem' type='pci'>"
		  "<source><address bus='0x100' slot='0' function='0'/></source></hostdev></devices></domain>",
		  "without a valid" },
		{ "<domain><name>vm</name><devices><hostdev mode='subsystem' type='pci'>"
		  "</hostdev></devices></domain>", "without a valid" },
	};
	struct domxml x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (domxml_parse(bad[i].xml, strlen(bad[i].xml), &x) == 0)
			fail_msg("accepted: %s", bad[i].xml);
		if (strstr(error_get(), bad[i].why) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].xml, error_get(), bad[i].why);
	}
	assert_int_equal(domxml_parse("<domain/>", DOMXML_MAX + 1, &x), -1);
	assert_non_null(strstr(error_get(), "larger than 16 MiB"));
}

static void
removes_stale_with_its_whitespace(void **state)
{
	char *out;

	(void)state;
	out = rewrite(
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	    "      <source>\n"
	    "        <address domain='0x0000' bus='0x09' slot='0x00' function='0x0'/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode='subsystem' type='pci' managed='no'>\n"
	    "      <source>\n"
	    "        <address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>\n"
	    "      </source>\n"
	    "      <rom bar='off'/>\n"
	    "      <alias name='ua-nic'/>\n"
	    "      <address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/>\n"
	    "    </hostdev>\n"
	    "  </devices>\n"
	    "</domain>\n",
	    "[vm \"vm\"]\npci = 8086:10d3\n");
	assert_string_equal(out,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x03\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "      <rom bar=\"off\"/>\n"
	    "      <alias name=\"ua-nic\"/>\n"
	    "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x07\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "    </hostdev>\n"
	    "  </devices>\n"
	    "</domain>\n");
	free(out);
}

static void
appends_after_the_last_hostdev(void **state)
{
	char *out;

	(void)state;
	/* multifunction GPU: the audio function joins after the GPU, and
	 * after the USB hostdev that follows it */
	out = rewrite(
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	    "      <source>\n"
	    "        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode='subsystem' type='usb' managed='yes'>\n"
	    "      <source>\n"
	    "        <vendor id='0x046d'/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <video/>\n"
	    "  </devices>\n"
	    "</domain>\n",
	    "[vm \"vm\"]\npci = 10de:1b81\nmanaged = no\n");
	assert_string_equal(out,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <vendor id=\"0x046d\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x1\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <video/>\n"
	    "  </devices>\n"
	    "</domain>\n");
	free(out);
}

static void
appends_at_the_end_of_devices(void **state)
{
	char *out;

	(void)state;
	out = rewrite(
	    "<domain xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
	    "  <name>vm</name>\n"
	    "  <!-- a comment -->\n"
	    "  <description>Café ≠ cafe</description>\n"
	    "  <devices>\n"
	    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	    "  </devices>\n"
	    "  <qemu:commandline>\n"
	    "    <qemu:arg value='-S'/>\n"
	    "  </qemu:commandline>\n"
	    "</domain>\n",
	    "[vm \"vm\"]\npci = 8086:10d3\n");
	assert_string_equal(out,
	    "<domain xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\">\n"
	    "  <name>vm</name>\n"
	    "  <!-- a comment -->\n"
	    "  <description>Café ≠ cafe</description>\n"
	    "  <devices>\n"
	    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x03\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "  </devices>\n"
	    "  <qemu:commandline>\n"
	    "    <qemu:arg value=\"-S\"/>\n"
	    "  </qemu:commandline>\n"
	    "</domain>\n");
	free(out);
}

/* USB hostdevs are added after the last hostdev, by vendor/product,
 * with the bus address only for one of two identical devices; the ones
 * there stay. */
static void
adds_usb_hostdevs(void **state)
{
	struct usb_dev devs[] = {
		{ .port = "1-2", .bus = 1, .devnum = 3, .vendor = 0x046d, .product = 0xc52b },
		{ .port = "1-3.1", .bus = 1, .devnum = 5, .vendor = 0x0403, .product = 0x6001 },
	};
	struct usb_add add[] = { { &devs[0], NULL, false }, { &devs[1], NULL, true } };
	struct usb_plan up = { add, 2, 2, { 0 } };
	const char *in =
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <hostdev mode='subsystem' type='usb' managed='yes'>\n"
	    "      <source>\n"
	    "        <vendor id='0x1050'/>\n"
	    "        <product id='0x0407'/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <video/>\n"
	    "  </devices>\n"
	    "</domain>\n";
	struct domxml x;
	char *out, *one;

	(void)state;
	assert_int_equal(domxml_parse(in, strlen(in), &x), 0);
	assert_int_equal(x.nusb, 1);
	assert_true(x.usb[0].has_ids && !x.usb[0].has_addr);
	assert_int_equal(x.usb[0].vendor, 0x1050);
	domxml_add_usb(&x, &up);
	out = domxml_serialize(&x);
	assert_string_equal(out,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <vendor id=\"0x1050\"/>\n"
	    "        <product id=\"0x0407\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
	    "      <source startupPolicy=\"optional\">\n"
	    "        <vendor id=\"0x046d\"/>\n"
	    "        <product id=\"0xc52b\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
	    "      <source startupPolicy=\"optional\">\n"
	    "        <vendor id=\"0x0403\"/>\n"
	    "        <product id=\"0x6001\"/>\n"
	    "        <address bus=\"1\" device=\"5\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <video/>\n"
	    "  </devices>\n"
	    "</domain>\n");
	domxml_free(&x);
	/* what comes back in is what was added */
	assert_int_equal(domxml_parse(out, strlen(out), &x), 0);
	assert_int_equal(x.nusb, 3);
	assert_true(usb_hostdev_is(&x.usb[2], &devs[1]));
	assert_false(usb_hostdev_is(&x.usb[2], &(struct usb_dev){ .bus = 1, .devnum = 6,
	    .vendor = 0x0403, .product = 0x6001 }));
	domxml_free(&x);
	free(out);
	one = domxml_usb_hostdev(&add[0]);
	assert_non_null(strstr(one, "<hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">"));
	assert_non_null(strstr(one, "<product id=\"0xc52b\"/>"));
	free(one);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_hostdevs),
		cmocka_unit_test(refuses_bad_input),
		cmocka_unit_test(removes_stale_with_its_whitespace),
		cmocka_unit_test(appends_after_the_last_hostdev),
		cmocka_unit_test(appends_at_the_end_of_devices),
		cmocka_unit_test(adds_usb_hostdevs),
	};

	return cmocka_run_group_tests_name("domxml", tests, NULL, NULL);
}
