#include "testlib.h"

static struct inventory inv;

static int
setup(void **state)
{
	(void)state;
	inv_from(&inv,
	    "0000:00:01.0 060400 8086:460d - pcieport 1 - - Root port\n"
	    "0000:01:00.0 030000 10de:1b81 1043:85f4 vfio-pci 1 4 - NVIDIA Corporation GP104 [GeForce GTX 1070]\n"
	    "0000:01:00.1 040300 10de:10f0 1043:85f4 - 1 4 - NVIDIA Corporation GP104 HD Audio\n"
	    "0000:03:00.0 020000 8086:10d3 8086:a01f e1000e 5 3 00-1b-21-ff-ff-00-00-01 Intel 82574L\n"
	    "0000:00:14.0 0c0330 8086:7ae0 1043:8694 xhci_hcd 7 - - Intel USB\n"
	    "0000:05:00.0 060400 1b21:1182 - - 9 - - PCIe switch without pcieport\n");
	/* moved to vfio-pci by pthook; inv_find's result is ours to edit */
	((struct device *)inv_find(&inv, &(struct pci_addr){ 0, 1, 0, 0 }))->orig_driver =
	    xstrdup("nouveau");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	inv_free(&inv);
	return 0;
}

static const struct device *
dev(const char *addr)
{
	struct pci_addr a;

	assert_int_equal(pci_addr_parse(addr, &a, NULL), 0);
	return inv_find(&inv, &a);
}

/* Parses text, returns how many inventory devices match; -1 on a parse
 * error whose message must contain want_err. */
static int
count(const char *text, const char *want_err)
{
	struct match m;
	char err[256] = "";
	size_t i;
	int n = 0;

	if (match_parse(text, &m, err, sizeof(err)) < 0) {
		assert_non_null(want_err);
		if (strstr(err, want_err) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", text, err, want_err);
		return -1;
	}
	assert_null(want_err);
	for (i = 0; i < inv.n; i++)
		n += match_device(&m, &inv.devs[i]);
	match_free(&m);
	return n;
}

static void
shorthand_and_criteria(void **state)
{
	(void)state;
	assert_int_equal(count("10de:1b81", NULL), 1);
	assert_int_equal(count("vendor=10DE device=1b81", NULL), 1);
	assert_int_equal(count("vendor=10de", NULL), 2);
	assert_int_equal(count("subsystem=1043:85f4", NULL), 2);
	assert_int_equal(count("10de:10f0 slot=4", NULL), 1);
	assert_int_equal(count("8086:10d3 slot=4", NULL), 0);
	assert_int_equal(count("0000:03:00.0", NULL), 1);
	assert_int_equal(count("03:00.0", NULL), 1);
}

static void
class_is_a_prefix(void **state)
{
	(void)state;
	assert_int_equal(count("class=03", NULL), 1);
	assert_int_equal(count("class=0c03", NULL), 1);
	assert_int_equal(count("class=0c0330", NULL), 1);
	assert_int_equal(count("class=0c0320", NULL), 0);
	assert_int_equal(count("class=0", "2, 4 or 6 hex"), -1);
	assert_int_equal(count("class=0c033", "2, 4 or 6 hex"), -1);
}

static void
bridges_never_match(void **state)
{
	(void)state;
	/* both by class 0604 and by driver pcieport */
	assert_int_equal(count("8086:460d", NULL), 0);
	assert_int_equal(count("class=0604", NULL), 0);
	assert_int_equal(count("1b21:1182", NULL), 0);
	assert_int_equal(count("address=0000:00:01.0", NULL), 0);
}

static void
driver_uses_the_original_driver(void **state)
{
	(void)state;
	/* 01:00.0 is on vfio-pci because pthook moved it from nouveau */
	assert_int_equal(count("driver=nouveau", NULL), 1);
	assert_int_equal(count("driver=vfio-pci", NULL), 0);
	assert_int_equal(count("driver=none", NULL), 1);
	assert_true(match_device(&(struct match){ .keys = M_DRIVER, .driver = "none" },
	    dev("0000:01:00.1")));
}

static void
serial_name_address(void **state)
{
	(void)state;
	assert_int_equal(count("serial=00-1B-21-FF-FF-00-00-01", NULL), 1);
	assert_int_equal(count("serial=001b21ffff000001", NULL), 1);
	assert_int_equal(count("serial=001b21ffff000002", NULL), 0);
	assert_int_equal(count("serial=0011", "16 hex digits"), -1);
	assert_int_equal(count("name=geforce", NULL), 1);
	assert_int_equal(count("name=\"GTX 10[67]0\"", NULL), 1);
	assert_int_equal(count("name=(", "bad regular expression"), -1);
	/* found by fuzzing: stacked quantifiers made regcomp() eat gigabytes */
	assert_int_equal(count("name=t++++++++++++++++++++++++++++++++", "quantifier may not follow"), -1);
	assert_int_equal(count("name=a{1000}", "bounded repetition"), -1);
	assert_int_equal(count("name=((((a))))", "nest deeper"), -1);
	assert_int_equal(count("name=GeForce|Radeon", NULL), 1);
	assert_int_equal(count("name=1\\++", NULL), 0);
	assert_int_equal(count("address=0000:01:*.*", NULL), 2);
	assert_int_equal(count("address=*:*:00.1", NULL), 1);
}

static void
syntax_errors(void **state)
{
	(void)state;
	assert_int_equal(count("", "empty match"), -1);
	assert_int_equal(count("vendor=10de vendor=10de", "given twice"), -1);
	assert_int_equal(count("10de:1b81 device=1b81", "given twice"), -1);
	assert_int_equal(count("vendor=10d", "4 hex digits"), -1);
	assert_int_equal(count("vendor=10dex", "4 hex digits"), -1);
	assert_int_equal(count("subsystem=1043", "VVVV:DDDD"), -1);
	assert_int_equal(count("colour=red", "unknown criterion"), -1);
	assert_int_equal(count("gpu", "neither"), -1);
	assert_int_equal(count("index=-1 10de:1b81", "number >= 0"), -1);
	assert_int_equal(count("index=x 10de:1b81", "number >= 0"), -1);
	assert_int_equal(count("index=1", "need criteria"), -1);
	assert_int_equal(count("10de:1b81 index=0 all", "exclude"), -1);
	assert_int_equal(count("name=\"open", "unterminated"), -1);
	assert_int_equal(count("vendor=", "needs a value"), -1);
	assert_int_equal(count("01:00.9", "not a PCI address"), -1);
	assert_int_equal(count("8086:1572 vf=-1", "from 0 to 65535"), -1);
	assert_int_equal(count("8086:1572 vf=65536", "from 0 to 65535"), -1);
	assert_int_equal(count("8086:1572 vf=1 numvfs=0", "from 1 to 65535"), -1);
	assert_int_equal(count("vf=3", "need criteria"), -1);
	assert_int_equal(count("8086:1572 numvfs=4", "add vf=N"), -1);
	assert_int_equal(count("8086:1572 vf=4 numvfs=4", "must exceed 'vf'"), -1);
	assert_int_equal(count("8086:1572 vf=0 all", "drop 'all'"), -1);
	assert_int_equal(count("8086:1572 vf=1 vf=2", "given twice"), -1);
	assert_int_equal(count("10de:1b81 reset=warm", "reset methods the kernel knows"), -1);
	assert_int_equal(count("10de:1b81 reset=bus,", "reset methods the kernel knows"), -1);
	assert_int_equal(count("10de:1b81 reset=bus,,pm", "reset methods the kernel knows"), -1);
	assert_int_equal(count("reset=bus", "need criteria"), -1);
	assert_int_equal(count("10de:1b81 reset=bus,pm", NULL), 1);
}

static void
address_only(void **state)
{
	struct match m;
	char err[128];

	(void)state;
	assert_int_equal(match_parse("01:00.0", &m, err, sizeof(err)), 0);
	assert_true(match_is_address_only(&m));
	match_free(&m);
	assert_int_equal(match_parse("address=01:00.0 10de:1b81", &m, err, sizeof(err)), 0);
	assert_false(match_is_address_only(&m));
	match_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shorthand_and_criteria),
		cmocka_unit_test(class_is_a_prefix),
		cmocka_unit_test(bridges_never_match),
		cmocka_unit_test(driver_uses_the_original_driver),
		cmocka_unit_test(serial_name_address),
		cmocka_unit_test(syntax_errors),
		cmocka_unit_test(address_only),
	};

	return cmocka_run_group_tests_name("match", tests, setup, teardown);
}
