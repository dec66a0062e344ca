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

/* The <metadata> block pthook adds when a definition changes (tested
 * on its own below): out of the way of the layout tests. */
static void
strip_metadata(char *out)
{
	char *s = strstr(out, "  <metadata>\n    <pthook:passthrough"), *e;

	if (s && (e = strstr(s, "</metadata>\n")) != NULL)
		memmove(s, e + 12, strlen(e + 12) + 1);
}

/* The rewrite of xml for config on the host inv_text (NULL: the one
 * above), with pthook's metadata kept. */
static char *
rewrite_on(const char *inv_text, const char *xml, const char *config)
{
	struct inventory inv;
	struct config cfg;
	struct plan p;
	struct domxml x;
	char path[64], *out;

	if (domxml_parse(xml, strlen(xml), &x))
		fail_msg("%s", error_get());
	inv_from(&inv, inv_text ? inv_text : host);
	if (cfg_from(&cfg, config, path))
		fail_msg("%s", error_get());
	plan_build(&(struct plan_input){ .cfg = &cfg, .inv = &inv, .vm = x.name,
	    .have_xml = true, .hostdevs = x.hostdevs, .nhostdevs = x.n }, &p);
	domxml_rewrite(&x, &p);
	out = domxml_serialize(&x);
	plan_free(&p);
	config_free(&cfg);
	inv_free(&inv);
	domxml_free(&x);
	return out;
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
	strip_metadata(out);
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
inserts_after_the_last_pci_passthrough(void **state)
{
	char *out;

	(void)state;
	/* multifunction GPU: the audio function joins right after the GPU,
	 * before the USB hostdev that follows it (SPEC §4: where the PCI
	 * passthrough elements are) */
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
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"no\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x01\" slot=\"0x00\" function=\"0x1\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"usb\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <vendor id=\"0x046d\"/>\n"
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

/* The GPU of the host above after a firmware update: 02:00.x, and
 * nothing at 01:00.x. */
static const char *moved_host =
    "0000:02:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GPU\n"
    "0000:02:00.1 040300 10de:10f0 1043:85f4 snd_hda_intel 1 - - GPU audio\n"
    "0000:03:00.0 020000 8086:10d3 8086:a01f e1000e 5 3 - NIC\n";

static const char *gpu_xml =
    "<domain>\n"
    "  <name>vm</name>\n"
    "  <devices>\n"
    "    <disk type='file' device='disk'/>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <source>\n"
    "        <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>\n"
    "      </source>\n"
    "      <rom file='/usr/share/vgabios/gp104.rom'/>\n"
    "      <boot order='2'/>\n"
    "      <alias name='ua-gpu'/>\n"
    "      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x0' multifunction='on'/>\n"
    "    </hostdev>\n"
    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
    "      <source>\n"
    "        <address domain='0x0000' bus='0x01' slot='0x00' function='0x1'/>\n"
    "      </source>\n"
    "      <address type='pci' domain='0x0000' bus='0x06' slot='0x00' function='0x1'/>\n"
    "    </hostdev>\n"
    "    <memballoon model='virtio'/>\n"
    "  </devices>\n"
    "</domain>\n";

static void
moved_device_rewritten_in_place(void **state)
{
	char *out, *again;

	(void)state;
	out = rewrite_on(moved_host, gpu_xml, "[vm \"vm\"]\npci = 10de:1b81\n");
	/* only the source addresses changed: rom, boot, alias and the guest
	 * address stay, and so does the place in the document */
	assert_non_null(strstr(out,
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x02\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "      <rom file=\"/usr/share/vgabios/gp104.rom\"/>\n"
	    "      <boot order=\"2\"/>\n"
	    "      <alias name=\"ua-gpu\"/>\n"
	    "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x06\" slot=\"0x00\" function=\"0x0\" multifunction=\"on\"/>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x02\" slot=\"0x00\" function=\"0x1\"/>\n"
	    "      </source>\n"
	    "      <address type=\"pci\" domain=\"0x0000\" bus=\"0x06\" slot=\"0x00\" function=\"0x1\"/>\n"
	    "    </hostdev>\n"
	    "    <memballoon model=\"virtio\"/>\n"));
	/* and what it chose is in the metadata, by identity */
	assert_non_null(strstr(out, "<pthook:device address=\"0000:02:00.0\" id=\"10de:1b81\" "
	    "subsystem=\"1043:85f4\"/>"));
	/* a second pass changes nothing */
	again = rewrite_on(moved_host, out, "[vm \"vm\"]\npci = 10de:1b81\n");
	assert_string_equal(again, out);
	free(again);
	/* a card went in before it and took 01:00.0: by the metadata the
	 * element still follows the GPU */
	again = rewrite_on(
	    "0000:01:00.0 020000 8086:10d3 8086:a01f e1000e 4 - - new NIC\n"
	    "0000:03:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GPU\n"
	    "0000:03:00.1 040300 10de:10f0 1043:85f4 snd_hda_intel 1 - - GPU audio\n",
	    out, "[vm \"vm\"]\npci = 10de:1b81\n");
	assert_non_null(strstr(again, "bus=\"0x03\" slot=\"0x00\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "      <rom file=\"/usr/share/vgabios/gp104.rom\"/>\n"));
	assert_null(strstr(again, "bus=\"0x01\""));
	free(again);
	/* without it, an element at an address that still holds a device
	 * is not taken for another: removed, and the GPU added bare */
	again = rewrite_on(
	    "0000:01:00.0 020000 8086:10d3 8086:a01f e1000e 4 - - new NIC\n"
	    "0000:03:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GPU\n"
	    "0000:03:00.1 040300 10de:10f0 1043:85f4 snd_hda_intel 1 - - GPU audio\n",
	    gpu_xml, "[vm \"vm\"]\npci = 10de:1b81\n");
	assert_null(strstr(again, "gp104.rom"));
	free(again);
	free(out);
}

/* With pthook's metadata, elements are paired by what they were given
 * for, not by their order or function number. */
static void
metadata_pairs_by_identity(void **state)
{
	static const char *host2 =
	    "0000:05:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GPU\n"
	    "0000:06:00.0 020000 8086:10d3 8086:a01f e1000e 5 - - NIC\n";
	char *out;

	(void)state;
	out = rewrite_on(host2,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <metadata>\n"
	    "    <pthook:passthrough xmlns:pthook=\"urn:x-pthook:passthrough:1\">\n"
	    "      <pthook:device address=\"0000:01:00.0\" id=\"8086:10d3\" subsystem=\"8086:a01f\"/>\n"
	    "      <pthook:device address=\"0000:02:00.0\" id=\"10de:1b81\" subsystem=\"1043:85f4\"/>\n"
	    "    </pthook:passthrough>\n"
	    "  </metadata>\n"
	    "  <devices>\n"
	    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	    "      <source><address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/></source>\n"
	    "      <alias name='ua-nic'/>\n"
	    "    </hostdev>\n"
	    "    <hostdev mode='subsystem' type='pci' managed='yes'>\n"
	    "      <source><address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source>\n"
	    "      <alias name='ua-gpu'/>\n"
	    "    </hostdev>\n"
	    "  </devices>\n"
	    "</domain>\n", "[vm \"vm\"]\npci = 10de:1b81\npci = 8086:10d3\n");
	assert_non_null(strstr(out, "bus=\"0x06\" slot=\"0x00\" function=\"0x0\"/></source>\n"
	    "      <alias name=\"ua-nic\"/>"));
	assert_non_null(strstr(out, "bus=\"0x05\" slot=\"0x00\" function=\"0x0\"/></source>\n"
	    "      <alias name=\"ua-gpu\"/>"));
	free(out);
}

static const char *vf_host =
    "0000:3b:02.0 020000 8086:154c 8086:0000 iavf 40 - - VF\n"
    "0000:3b:02.1 020000 8086:154c 8086:0000 iavf 41 - - VF\n";

static void
hostdev_interface_is_passthrough(void **state)
{
	static const char xml[] =
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <interface type='hostdev' managed='yes'>\n"
	    "      <mac address='52:54:00:6d:90:02'/>\n"
	    "      <source>\n"
	    "        <address type='pci' domain='0x0000' bus='0x3b' slot='0x02' function='0x0'/>\n"
	    "      </source>\n"
	    "      <vlan><tag id='42'/></vlan>\n"
	    "    </interface>\n"
	    "    <interface type='network'><source network='default'/></interface>\n"
	    "  </devices>\n"
	    "</domain>\n";
	struct inventory inv;
	struct config cfg;
	struct domxml x;
	struct plan p;
	char path[64], *out;

	(void)state;
	assert_int_equal(domxml_parse(xml, sizeof(xml) - 1, &x), 0);
	assert_int_equal(x.n, 1);
	assert_true(x.hostdevs[0].iface);
	assert_true(x.hostdevs[0].managed);
	/* the interface is the VF the rule names: clean, no second hostdev */
	inv_from(&inv, vf_host);
	assert_int_equal(cfg_from(&cfg, "[vm \"vm\"]\npci = 8086:154c index=0\n", path), 0);
	plan_build(&(struct plan_input){ .cfg = &cfg, .inv = &inv, .vm = "vm",
	    .have_xml = true, .hostdevs = x.hostdevs, .nhostdevs = x.n }, &p);
	assert_int_equal(p.nadd, 0);
	assert_int_equal(p.stale.n, 0);
	plan_free(&p);
	config_free(&cfg);
	/* the PF moved (3b -> 3c): the interface is rewritten in place,
	 * MAC and VLAN stay */
	domxml_free(&x);
	out = rewrite_on("0000:3c:02.0 020000 8086:154c 8086:0000 iavf 40 - - VF\n", xml,
	    "[vm \"vm\"]\npci = 8086:154c index=0\n");
	assert_non_null(strstr(out,
	    "    <interface type=\"hostdev\" managed=\"yes\">\n"
	    "      <mac address=\"52:54:00:6d:90:02\"/>\n"
	    "      <source>\n"
	    "        <address type=\"pci\" domain=\"0x0000\" bus=\"0x3c\" slot=\"0x02\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "      <vlan><tag id=\"42\"/></vlan>\n"));
	assert_null(strstr(out, "<hostdev"));
	free(out);
	inv_free(&inv);
}

static void
interface_rule_adds_an_interface(void **state)
{
	char *out;

	(void)state;
	out = rewrite_on(vf_host,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <interface type='network'><source network='default'/></interface>\n"
	    "    <video/>\n"
	    "    <memballoon model='none'/>\n"
	    "  </devices>\n"
	    "</domain>\n", "[vm \"vm\"]\npci = 8086:154c index=0 interface\n");
	assert_non_null(strstr(out,
	    "    <interface type=\"network\"><source network=\"default\"/></interface>\n"
	    "    <interface type=\"hostdev\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address type=\"pci\" domain=\"0x0000\" bus=\"0x3b\" slot=\"0x02\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "    </interface>\n"
	    "    <video/>\n"));
	free(out);
	/* a plain hostdev rule with no passthrough yet: before the devices
	 * libvirt lists after hostdevs */
	out = rewrite_on(vf_host,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <devices>\n"
	    "    <video/>\n"
	    "    <memballoon model='none'/>\n"
	    "    <rng model='virtio'/>\n"
	    "  </devices>\n"
	    "</domain>\n", "[vm \"vm\"]\npci = 8086:154c index=0\n");
	assert_non_null(strstr(out,
	    "    <video/>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x3b\" slot=\"0x02\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "    <memballoon model=\"none\"/>\n"
	    "    <rng model=\"virtio\"/>\n"));
	free(out);
}

static void
status_files_and_missing_devices(void **state)
{
	char *out;

	(void)state;
	/* a status file: the domain's <devices>, not the status' own */
	out = rewrite_on(vf_host,
	    "<domstatus state='running'>\n"
	    "  <devices>\n"
	    "    <device alias='net0'/>\n"
	    "  </devices>\n"
	    "  <domain>\n"
	    "    <name>vm</name>\n"
	    "    <devices>\n"
	    "      <video/>\n"
	    "    </devices>\n"
	    "  </domain>\n"
	    "</domstatus>\n", "[vm \"vm\"]\npci = 8086:154c index=0\n");
	assert_non_null(strstr(out, "  <devices>\n    <device alias=\"net0\"/>\n  </devices>\n"));
	assert_non_null(strstr(out, "      <video/>\n      <hostdev mode="));
	free(out);
	/* no <devices> at all: made, indented like its siblings */
	out = rewrite_on(vf_host,
	    "<domain>\n"
	    "  <name>vm</name>\n"
	    "  <memory>1</memory>\n"
	    "</domain>\n", "[vm \"vm\"]\npci = 8086:154c index=0\n");
	assert_non_null(strstr(out,
	    "  <memory>1</memory>\n"
	    "  <devices>\n"
	    "    <hostdev mode=\"subsystem\" type=\"pci\" managed=\"yes\">\n"
	    "      <source>\n"
	    "        <address domain=\"0x0000\" bus=\"0x3b\" slot=\"0x02\" function=\"0x0\"/>\n"
	    "      </source>\n"
	    "    </hostdev>\n"
	    "  </devices>\n"
	    "</domain>\n"));
	free(out);
}

static void
usb_only_section_leaves_pci_alone(void **state)
{
	struct domxml x;
	char *out, *same;

	(void)state;
	out = rewrite_on(moved_host, gpu_xml, "[vm \"vm\"]\nusb = 046d:c52b\n");
	assert_int_equal(domxml_parse(gpu_xml, strlen(gpu_xml), &x), 0);
	same = domxml_serialize(&x);
	assert_string_equal(out, same);
	domxml_free(&x);
	free(same);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_hostdevs),
		cmocka_unit_test(refuses_bad_input),
		cmocka_unit_test(removes_stale_with_its_whitespace),
		cmocka_unit_test(inserts_after_the_last_pci_passthrough),
		cmocka_unit_test(moved_device_rewritten_in_place),
		cmocka_unit_test(metadata_pairs_by_identity),
		cmocka_unit_test(hostdev_interface_is_passthrough),
		cmocka_unit_test(interface_rule_adds_an_interface),
		cmocka_unit_test(status_files_and_missing_devices),
		cmocka_unit_test(usb_only_section_leaves_pci_alone),
		cmocka_unit_test(appends_at_the_end_of_devices),
		cmocka_unit_test(adds_usb_hostdevs),
	};

	return cmocka_run_group_tests_name("domxml", tests, NULL, NULL);
}
