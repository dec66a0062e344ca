#include "testlib.h"
#include "usbplan.h"

/* A host's USB devices: a composite keyboard+mouse receiver (class on
 * the interfaces only), two identical serial adapters, a security key,
 * a mass-storage stick. */
static struct usb_iface receiver_if[] = { { 0x03, 0x01, 0x01 }, { 0x03, 0x01, 0x02 } };
static struct usb_iface serial_if[] = { { 0xff, 0x00, 0x00 } };
static struct usb_iface key_if[] = { { 0x03, 0x00, 0x00 } };
static struct usb_iface stick_if[] = { { 0x08, 0x06, 0x50 } };

static struct usb_dev devs[] = {
	{ "1-2", 1, 3, 0x046d, 0xc52b, 0, 0, 0, receiver_if, 2, NULL,
	  "Logitech USB Receiver", "Logitech, Inc. Unifying Receiver" },
	{ "1-3.1", 1, 5, 0x0403, 0x6001, 0, 0, 0, serial_if, 1, "A10KXYZ1", "FTDI FT232R USB UART", NULL },
	{ "1-3.2", 1, 6, 0x0403, 0x6001, 0, 0, 0, serial_if, 1, "A10KXYZ2", "FTDI FT232R USB UART", NULL },
	{ "2-1", 2, 2, 0x1050, 0x0407, 0, 0, 0, key_if, 1, NULL, "Yubico YubiKey OTP+FIDO+CCID", NULL },
	{ "2-4", 2, 4, 0x0781, 0x5567, 0, 0, 0, stick_if, 1, "4C53", "SanDisk Cruzer Blade", NULL },
};
static const struct usb_inventory inv = { devs, sizeof(devs) / sizeof(devs[0]), 0 };

static bool
matches(const char *text, const struct usb_dev *d)
{
	struct usb_match m;
	char err[256];
	bool r;

	assert_int_equal(usb_match_parse(text, &m, err, sizeof(err)), 0);
	r = usb_match_device(&m, d);
	usb_match_free(&m);
	return r;
}

static void
criteria(void **state)
{
	(void)state;
	assert_true(matches("046d:c52b", &devs[0]));
	assert_false(matches("046d:c52c", &devs[0]));
	assert_true(matches("vendor=0403 product=6001 serial=A10KXYZ2", &devs[2]));
	assert_false(matches("vendor=0403 serial=A10KXYZ2", &devs[1]));
	assert_true(matches("port=1-3.1", &devs[1]));
	assert_false(matches("port=1-3", &devs[1]));
	assert_true(matches("bus=2 class=08", &devs[4]));
	assert_false(matches("bus=1 class=08", &devs[4]));
}

/* The receiver says nothing at device level: its class is on its
 * interfaces, and class/subclass/protocol must hold on one of them. */
static void
interface_class_on_composite_devices(void **state)
{
	(void)state;
	assert_true(matches("class=03", &devs[0]));
	assert_true(matches("class=03 subclass=01 protocol=02", &devs[0]));	/* mouse */
	assert_false(matches("class=03 protocol=03", &devs[0]));
	assert_false(matches("class=08 protocol=01", &devs[0]));
	/* a keyboard interface: protocol 01, not the key's 00 */
	assert_false(matches("class=03 protocol=01", &devs[3]));
}

static void
names_from_device_or_database(void **state)
{
	(void)state;
	assert_true(matches("name=\"logitech.*receiver\"", &devs[0]));
	assert_true(matches("name=Unifying", &devs[0]));	/* the ids database */
	assert_true(matches("name=yubikey", &devs[3]));
	assert_false(matches("name=yubikey", &devs[4]));
}

static void
parse_errors(void **state)
{
	static const char *bad[] = { "", "vendor=46d", "class=3", "bus=0", "port=1.2",
		"046d", "colour=red", "vendor=046d vendor=046d", "name=a**", "serial=" };
	struct usb_match m;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(usb_match_parse(bad[i], &m, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
}

static const char *conf =
    "[vm \"desk\"]\n"
    "usb = class=03\n"			/* line 2: every HID device ... */
    "usb_deny = 1050:0407\n"		/* ... but never the security key */
    "usb = 0403:6001 serial=A10KXYZ1\n"
    "[vm \"lab\"]\n"
    "usb = 0403:6001\n"			/* line 6: both adapters, after desk */
    "usb = 1050:0407\n"
    "usb = class=03\n";			/* line 8: too late for the receiver */

static void
owner_first_match_and_deny_wins(void **state)
{
	const struct usb_rule *r;
	struct config cfg;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg, conf, path), 0);
	assert_string_equal(usb_owner(&cfg, &devs[0], &r)->name, "desk");
	assert_int_equal(r->line, 2);
	/* desk denies the key: the next rule that matches, lab's, wins */
	assert_string_equal(usb_owner(&cfg, &devs[3], &r)->name, "lab");
	assert_int_equal(r->line, 7);
	assert_string_equal(usb_owner(&cfg, &devs[1], NULL)->name, "desk");
	assert_string_equal(usb_owner(&cfg, &devs[2], &r)->name, "lab");
	assert_int_equal(r->line, 6);
	assert_null(usb_owner(&cfg, &devs[4], &r));
	assert_null(r);
	config_free(&cfg);
}

static void
plan_adds_what_is_missing_with_address_for_twins(void **state)
{
	struct usb_hostdev have[] = { { true, false, 0x046d, 0xc52b, 0, 0 } };
	struct usb_plan p;
	struct config cfg;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg, conf, path), 0);
	usb_plan_build(&cfg, "desk", &inv, have, 1, &p);
	/* the receiver is there already; the adapter is one of two */
	assert_int_equal(p.n, 1);
	assert_ptr_equal(p.v[0].dev, &devs[1]);
	assert_true(p.v[0].by_address);
	usb_plan_free(&p);
	usb_plan_build(&cfg, "lab", &inv, NULL, 0, &p);
	assert_int_equal(p.n, 2);
	assert_ptr_equal(p.v[0].dev, &devs[2]);
	assert_ptr_equal(p.v[1].dev, &devs[3]);
	assert_false(p.v[1].by_address);
	usb_plan_free(&p);
	config_free(&cfg);
}

static void
config_keys(void **state)
{
	struct config cfg;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg, "[vm \"a\"]\nhotplug = yes\nusb = 046d:c52b\n", path), 0);
	assert_true(cfg.vms[0].hotplug);
	assert_int_equal(cfg.vms[0].nusb, 1);
	config_free(&cfg);
	assert_int_equal(cfg_from(&cfg, "[vm \"a\"]\nusb = vendor=zz\n", path), -1);
	assert_non_null(strstr(error_get(), ":2: usb = vendor=zz: vendor wants 4 hex digits"));
	config_free(&cfg);
	assert_int_equal(cfg_from(&cfg, "[vm \"a\"]\nhotplug = maybe\n", path), -1);
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(criteria),
		cmocka_unit_test(interface_class_on_composite_devices),
		cmocka_unit_test(names_from_device_or_database),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test(owner_first_match_and_deny_wins),
		cmocka_unit_test(plan_adds_what_is_missing_with_address_for_twins),
		cmocka_unit_test(config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
