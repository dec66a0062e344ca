#include "testlib.h"

/* Loads text; on want_err, the load must fail with "FILE:LINE: ..."
 * containing want_err. */
static void
expect_mem(const char *text, size_t len, int line, const char *want_err)
{
	struct config cfg;
	char path[64], prefix[96];
	int rc = cfg_from_mem(&cfg, text, len, path);

	if (want_err == NULL) {
		if (rc != 0)
			fail_msg("unexpected error: %s", error_get());
	} else {
		if (rc == 0)
			fail_msg("accepted, wanted '%s'", want_err);
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, line);
		if (strncmp(error_get(), prefix, strlen(prefix)) != 0 ||
		    strstr(error_get(), want_err) == NULL)
			fail_msg("got '%s', wanted '%s...%s'", error_get(), prefix, want_err);
	}
	config_free(&cfg);
}

static void
expect(const char *text, int line, const char *want_err)
{
	expect_mem(text, strlen(text), line, want_err);
}

static void
full_config(void **state)
{
	struct config cfg;
	const struct vm_conf *vm;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg,
	    "; comment\n"
	    "[global]\n"
	    "uri      = qemu+ssh://host/system ; inline comment\n"
	    "driver   = vfio-pci\n"
	    "reattach = no\n"
	    "protect  = class=0106\n"
	    "protect  = driver=nvme\n"
	    "detach   = sysfs\n"
	    "timeout  = 9\n"
	    "\n"
	    "[vm \"win10\"]\n"
	    "    pci   = 10de:1b81\n"
	    "    pci   = 10de:10f0\n"
	    "    pci   = driver=xhci_hcd index=1\n"
	    "group = detach\n"
	    "managed = no\n"
	    "early = yes\n"
	    "[vm \"linux box\"]\n"
	    "pci = slot=4 all\n"
	    "[vm \"desk\"]\n"
	    "console = handoff\n"
	    "[vm \"desk2\"]\n"
	    "console = handoff\n"
	    "units = gdm.service, user@1000.service sddm\n", path), 0);
	assert_string_equal(cfg.uri, "qemu+ssh://host/system");
	assert_false(cfg.reattach);
	assert_int_equal(cfg.detach, DETACH_SYSFS);
	assert_int_equal(cfg.timeout, 9);
	assert_int_equal(cfg.nprotect, 2);
	assert_int_equal(cfg.nvms, 4);
	vm = config_vm(&cfg, "win10");
	assert_non_null(vm);
	/* indented lines are rules of their own, not inih continuations */
	assert_int_equal(vm->npci, 3);
	assert_int_equal(vm->pci[2].line, 14);
	assert_true(vm->early);
	assert_int_equal(vm->pci[2].m.index, 1);
	assert_int_equal(vm->group, GROUP_DETACH);
	assert_false(vm->managed);
	vm = config_vm(&cfg, "linux box");
	assert_non_null(vm);
	assert_true(vm->managed);
	assert_false(vm->early);
	assert_int_equal(vm->group, GROUP_ASSIGN);
	assert_true(cfg.uses & M_SLOT);
	assert_false(vm->handoff);
	assert_int_equal(vm->units.n, 0);
	/* the handoff stops the display manager unless told otherwise */
	vm = config_vm(&cfg, "desk");
	assert_true(vm->handoff);
	assert_int_equal(vm->units.n, 1);
	assert_string_equal(vm->units.v[0], "display-manager.service");
	vm = config_vm(&cfg, "desk2");
	assert_int_equal(vm->units.n, 3);
	assert_string_equal(vm->units.v[1], "user@1000.service");
	assert_string_equal(vm->units.v[2], "sddm");
	assert_null(config_vm(&cfg, "win"));
	config_free(&cfg);
}

static void
defaults(void **state)
{
	struct config cfg;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg, "", path), 0);
	assert_string_equal(cfg.uri, "qemu:///system");
	assert_string_equal(cfg.driver, "vfio-pci");
	assert_true(cfg.reattach);
	assert_int_equal(cfg.detach, DETACH_AUTO);
	assert_int_equal(cfg.timeout, 5);
	config_free(&cfg);
}

static void
errors_name_file_and_line(void **state)
{
	(void)state;
	expect("[global]\nuri = x\n[gobal]\n", 3, "unknown section [gobal]");
	expect("[global]\nurl = x\n", 2, "unknown key 'url'");
	expect("[vm \"a\"]\npci = 10de:1b81\n\n[vm \"a\"]\n", 4, "duplicate section [vm \"a\"] (first at line 1)");
	expect("[global]\n[global]\n", 2, "second [global]");
	expect("[vm \"a\"]\npci = vendor=10dz\n", 2, "4 hex digits");
	expect("[vm \"a\"]\npci = 10de:1b81 index=-2\n", 2, "number >= 0");
	expect("[vm \"a\"]\ngroup = share\n", 2, "assign, detach or strict");
	expect("[vm \"a\"]\nmanaged = maybe\n", 2, "yes or no");
	expect("[vm \"a\"]\nearly = boot\n", 2, "early = boot: expected yes or no");
	expect("[vm \"a\"]\nearly = yes\nearly = no\n", 3, "early");
	expect("[vm \"a\"]\nconsole = give\n", 2, "console = give: expected keep or handoff");
	expect("[vm \"a\"]\nunits = gdm.service --force\n", 2, "'--force' is not a systemd unit name");
	expect("[vm \"a\"]\nunits = ../x\n", 2, "'../x' is not a systemd unit name");
	expect("[vm \"a\"]\nunits = ,\n", 2, "expected unit names");
	expect("[global]\ndetach = always\n", 2, "auto, libvirt or sysfs");
	expect("[global]\ntimeout = 0\n", 2, "1 to 600");
	expect("[global]\ntimeout = 5s\n", 2, "1 to 600");
	expect("[global]\nuri = a\nuri = b\n", 3, "'uri' set twice");
	expect("[vm \"a\"]\ngroup = assign\ngroup = detach\n", 3, "'group' set twice");
	expect("pci = 10de:1b81\n", 1, "outside any section");
	expect("[vm \"a\"]\nthis is not ini\n", 2, "syntax error");
	expect("[vm \"a\"\npci = 10de:1b81\n", 1, "syntax error");
	expect("[vm \"a/b\"]\n", 1, "bad VM name");
	expect("[vm \"\"]\n", 1, "bad VM name");
	expect("[vm \"a\"]\npci =\n", 2, "no value");
	expect("[global]\ndriver = vfio pci\n", 2, "not a kernel driver name");
	expect("[vm \"a\"]\npci = 10de:1b81\n[vm b]\n", 3, "unknown section [vm b]");
}

/* inih reads a line in a buffer fixed when it was built: a line over it
 * is an error naming the line and the limit, filed under its section,
 * never split into rules nobody wrote; BOM and CRLF are fine. */
static void
long_line_is_an_error_bom_and_crlf(void **state)
{
	struct config cfg;
	const struct vm_conf *vm;
	char *text, path[64];
	size_t n = 0;

	(void)state;
	text = xmalloc(20000);
	n = (size_t)sprintf(text, "\xef\xbb\xbf; short\r\n[vm \"win10\"]\r\npci = 10de:1b81\r\n"
	    "pci = slot=");
	memset(text + n, 'z', 3000);
	n += 3000;
	n += (size_t)sprintf(text + n, "\r\n[vm \"other\"]\r\npci = 8086:10d3 ; fine\r\n");
	assert_int_equal(cfg_from_mem(&cfg, text, n, path), -1);
	vm = config_vm(&cfg, "win10");
	assert_non_null(vm);
	assert_int_equal(vm->npci, 1);		/* not split: no rule from its pieces */
	assert_int_equal(vm->pci[0].line, 3);
	assert_int_equal(vm->pci[0].m.vendor, 0x10de);
	assert_int_equal(cfg.nerrors, 1);
	assert_non_null(strstr(cfg.errors[0].text, ":4: line of 3011 bytes, longer than the "));
	assert_non_null(strstr(cfg.errors[0].text, " inih reads a line in"));
	/* filed under win10: other is not blocked */
	assert_non_null(config_problem(&cfg, "win10"));
	assert_null(config_problem(&cfg, "other"));
	assert_int_equal(config_vm(&cfg, "other")->npci, 1);
	config_free(&cfg);
	free(text);
}

/* Where each error belongs decides which starts it blocks (SPEC §5.1). */
static void
errors_are_scoped(void **state)
{
	struct config cfg;
	char path[64];

	(void)state;
	/* a typo in b's section blocks b, not a */
	assert_int_equal(cfg_from(&cfg, "[vm \"a\"]\npci = 10de:1b81\n[vm \"b\"]\n"
	    "pci = bogus\n", path), -1);
	assert_null(config_problem(&cfg, "a"));
	assert_non_null(strstr(config_problem(&cfg, "b"), ":4: pci = bogus"));
	assert_null(config_problem(&cfg, "c"));
	assert_false(config_concerns(&cfg, "c"));
	config_free(&cfg);
	/* a [global] error blocks every VM the file names, and no other */
	assert_int_equal(cfg_from(&cfg, "[global]\nurl = x\n[vm \"a\"]\n", path), -1);
	assert_non_null(config_problem(&cfg, "a"));
	assert_null(config_problem(&cfg, "c"));
	config_free(&cfg);
	/* a header that is not exactly one of the two might name anything */
	static const char *const bad[] = {
		"[vm \"win10\" ]", "[VM \"win10\"]", "[vm 'win10']", "[vm  \"win10\"]",
		"[ global ]", "[vm \"win10\"", "[vm \"a/b\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char text[128];

		snprintf(text, sizeof(text), "[vm \"a\"]\npci = 10de:1b81\n%s\npci = 8086:7ad0\n",
		    bad[i]);
		assert_int_equal(cfg_from(&cfg, text, path), -1);
		if (config_problem(&cfg, "win10") == NULL || config_problem(&cfg, "a") == NULL ||
		    !config_concerns(&cfg, "anything"))
			fail_msg("'%s' does not block every VM", bad[i]);
		/* and the keys under it belong to nobody */
		assert_int_equal(config_vm(&cfg, "a")->npci, 1);
		config_free(&cfg);
	}
	/* a NUL byte: not a text file */
	assert_int_equal(cfg_from_mem(&cfg, "[vm \"a\"]\npci = 10de:1b81\0 evil\n", 27, path), -1);
	assert_non_null(strstr(config_problem(&cfg, "zzz"), ":2: NUL byte"));
	config_free(&cfg);
	/* comments after headers are fine */
	assert_int_equal(cfg_from(&cfg, "[global] ; the defaults\n[vm \"a\"]   # mine\n", path), 0);
	assert_non_null(config_vm(&cfg, "a"));
	config_free(&cfg);
	/* a VM section with nothing in it still counts */
	expect("[vm \"a\"]\n[vm \"a\"]\n", 2, "duplicate section");
}

static void
broken_file_still_lists_vm_names(void **state)
{
	struct config cfg;
	char path[64];

	(void)state;
	assert_int_equal(cfg_from(&cfg, "[vm \"a\"]\npci = bogus\n[vm \"b\"]\n", path), -1);
	assert_non_null(config_vm(&cfg, "a"));
	assert_non_null(config_vm(&cfg, "b"));
	assert_null(config_vm(&cfg, "c"));
	config_free(&cfg);
}

static void
refuses_unsafe_permissions(void **state)
{
	struct config cfg;
	char path[64];

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(cfg_from(&cfg, "[global]\n", path), 0);
	config_free(&cfg);
	chmod(path, 0666);
	assert_int_equal(config_load(path, true, &cfg), -1);
	assert_non_null(strstr(error_get(), "writable by group or others"));
	assert_non_null(strstr(error_get(), "mode 0666"));
	config_free(&cfg);
	/* still read: it blocks the VMs it names, and only those */
	{
		FILE *f = fopen(path, "w");

		fputs("[vm \"a\"]\npci = 10de:1b81\n", f);
		fclose(f);
		assert_int_equal(config_load(path, true, &cfg), -1);
		assert_non_null(strstr(config_problem(&cfg, "a"), "writable by group or others"));
		assert_null(config_problem(&cfg, "b"));
		config_free(&cfg);
	}
	chmod(path, 0600);
	assert_int_equal(chown(path, 65534, 0), 0);
	assert_int_equal(config_load(path, true, &cfg), -1);
	assert_non_null(strstr(error_get(), "not owned by root"));
	config_free(&cfg);
	assert_int_equal(chown(path, 0, 0), 0);
	/* the directory counts too */
	{
		char dir[64];

		strcpy(dir, path);
		*strrchr(dir, '/') = '\0';
		chmod(dir, 0777);
		assert_int_equal(config_load(path, true, &cfg), -1);
		assert_non_null(strstr(error_get(), "directory of the config"));
		config_free(&cfg);
		chmod(dir, 0700);
	}
}

static void
missing_file(void **state)
{
	struct config cfg;

	(void)state;
	assert_int_equal(config_load("/nonexistent/pthook.ini", false, &cfg), 0);
	assert_false(cfg.present);
	config_free(&cfg);
	assert_int_equal(config_load("/nonexistent/pthook.ini", true, &cfg), -1);
	assert_non_null(strstr(error_get(), "No such file"));
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_config),
		cmocka_unit_test(defaults),
		cmocka_unit_test(errors_name_file_and_line),
		cmocka_unit_test(long_line_is_an_error_bom_and_crlf),
		cmocka_unit_test(errors_are_scoped),
		cmocka_unit_test(broken_file_still_lists_vm_names),
		cmocka_unit_test(refuses_unsafe_permissions),
		cmocka_unit_test(missing_file),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
