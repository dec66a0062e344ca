#include "testlib.h"

/* The twins host: identical NICs in slots 3 and 4, two GTX 1070s from
 * different makers, a GPU sharing group 1 with its root port, a chipset
 * group of three, ungrouped AMD functions, a VMD domain. */
static const char *host =
    "0000:00:01.0 060400 8086:460d - pcieport 1 - - Root port\n"
    "0000:01:00.0 030000 10de:1b81 1043:85f4 nouveau 1 - - GTX 1070 ASUS\n"
    "0000:01:00.1 040300 10de:10f0 1043:85f4 snd_hda_intel 1 - - GTX 1070 audio\n"
    "0000:02:00.0 030000 10de:1b81 1462:3302 nouveau 3 - - GTX 1070 MSI\n"
    "0000:02:00.1 040300 10de:10f0 1462:3302 vfio-pci 3 - - GTX 1070 audio\n"
    "0000:03:00.0 020000 8086:10d3 8086:a01f e1000e 5 3 - Intel 82574L\n"
    "0000:04:00.0 020000 8086:10d3 8086:a01f e1000e 7 4 - Intel 82574L\n"
    "0000:00:1f.0 060100 8086:7a84 1043:8694 - 8 - - ISA bridge\n"
    "0000:00:1f.3 040300 8086:7ad0 1043:882a snd_hda_intel 8 - - PCH audio\n"
    "0000:00:1f.4 0c0500 8086:7aa3 1043:8694 i801_smbus 8 - - SMBus\n"
    "0000:00:17.0 010601 8086:7ae2 1043:8694 ahci 10 - - SATA\n"
    "0000:00:18.0 080600 1022:1480 - - - - - Root complex\n"
    "10000:e1:00.0 010802 144d:a808 144d:a801 nvme 13 - - NVMe behind VMD\n";

struct world {
	struct critical crit[2];
	size_t ncrit;
	struct inventory inv;
	struct config cfg;
	struct plan plan;
	struct hostdev hd[8];
	size_t nhd;
	bool have_xml;
	struct held held[2];
	size_t nheld;
};

static int
setup(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));

	inv_from(&w->inv, host);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	plan_free(&w->plan);
	config_free(&w->cfg);
	inv_free(&w->inv);
	free(w);
	return 0;
}

static void
xml_hostdev(struct world *w, const char *addr, bool managed)
{
	assert_int_equal(pci_addr_parse(addr, &w->hd[w->nhd].addr, NULL), 0);
	w->hd[w->nhd++].managed = managed;
	w->have_xml = true;
}

static void
plan(struct world *w, const char *config)
{
	char path[64];
	struct plan_input in;

	if (cfg_from(&w->cfg, config, path) != 0)
		fail_msg("config: %s", error_get());
	in = (struct plan_input){ .cfg = &w->cfg, .inv = &w->inv, .vm = "vm",
		.have_xml = w->have_xml, .hostdevs = w->hd, .nhostdevs = w->nhd,
		.held = w->held, .nheld = w->nheld, .critical = w->crit, .ncritical = w->ncrit };
	plan_build(&in, &w->plan);
}

/* The address list of a planned list, "a b c". */
static char *
addrs(const struct planned_list *l)
{
	static char buf[512];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "",
		    l->v[i].dev->addr_str);
	return buf;
}

static void
has_line(const struct strlist *l, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strstr(l->v[i], a) && (b == NULL || strstr(l->v[i], b)))
			return;
	for (i = 0; i < l->n; i++)
		print_message("have: %s\n", l->v[i]);
	fail_msg("no line containing '%s' and '%s'", a, b ? b : "");
}

static void
has_error(struct world *w, const char *a, const char *b)
{
	has_line(&w->plan.errors, a, b);
}

static void
no_errors(struct world *w)
{
	if (w->plan.errors.n)
		fail_msg("unexpected: %s", w->plan.errors.v[0]);
}

static void
unconfigured_vm(void **state)
{
	struct world *w = *state;
	char path[64];
	struct plan_input in = { .cfg = &w->cfg, .inv = &w->inv, .vm = "other" };

	assert_int_equal(cfg_from(&w->cfg, "[vm \"vm\"]\npci = 10de:1b81 index=0\n", path), 0);
	plan_build(&in, &w->plan);
	assert_false(w->plan.configured);
	assert_int_equal(w->plan.assign.n, 0);
	assert_int_equal(w->plan.errors.n, 0);
}

static void
exact_match_and_group_assign(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1043:85f4\n");
	no_errors(w);
	/* the audio function joins; the root port in the group is a bridge:
	 * neither assigned nor in the way */
	assert_string_equal(addrs(&w->plan.assign), "0000:01:00.0 0000:01:00.1");
	assert_null(w->plan.assign.v[1].rule);
	assert_ptr_equal(w->plan.assign.v[1].via, w->plan.assign.v[0].dev);
	assert_int_equal(w->plan.detach.n, 0);
	assert_int_equal(w->plan.warnings.n, 1);	/* joined only by its group */
}

static void
no_match(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 10de:2204\n");
	has_error(w, "pthook: vm: 'pci = 10de:2204' matches no device", "pthook.ini:2");
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* with hotplug, the device may come later: pthook watch's turn */
	plan(w, "[vm \"vm\"]\nhotplug = yes\npci = 10de:2204\npci = 8086:7ad0\n");
	assert_int_equal(w->plan.errors.n, 0);
	assert_string_equal(addrs(&w->plan.assign), "0000:00:1f.0 0000:00:1f.3 0000:00:1f.4");
	assert_non_null(strstr(w->plan.steps.v[0], "matches no device now; pthook watch"));
}

static void
ambiguous_lists_candidates_and_the_key(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 8086:10d3\n");
	has_error(w, "2 devices match", "0000:03:00.0 8086:10d3");
	has_error(w, "0000:04:00.0 8086:10d3", "slot 4");
	has_error(w, "tell them apart with slot=", "index=N");
	assert_int_equal(w->plan.assign.n, 0);
}

static void
identical_cards_by_slot_index_subsystem(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 8086:10d3 slot=4\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:04:00.0");
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 index=1\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:04:00.0");
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1462:3302\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:02:00.0 0000:02:00.1");
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* GPUs differ by subsystem: the refusal says so */
	plan(w, "[vm \"vm\"]\npci = 10de:1b81\n");
	has_error(w, "ambiguous", "subsystem=");
}

static void
index_out_of_range_and_all(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 8086:10d3 index=2\n");
	has_error(w, "wants index 2 but only 2 devices match", NULL);
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 all\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:03:00.0 0000:04:00.0");
}

static void
group_detach(void **state)
{
	struct world *w = *state;

	/* 00:1f.3 wanted; 1f.4 on i801_smbus must be detached, 1f.0 has no
	 * driver and already keeps the group viable */
	plan(w, "[vm \"vm\"]\npci = 8086:7ad0\ngroup = detach\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:00:1f.3");
	assert_string_equal(addrs(&w->plan.detach), "0000:00:1f.4");
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* a mate already on vfio-pci needs nothing */
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1462:3302\ngroup = detach\n");
	no_errors(w);
	assert_int_equal(w->plan.detach.n, 0);
}

static void
group_strict(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 8086:7ad0\ngroup = strict\n");
	has_error(w, "IOMMU group 8 is not viable: 0000:00:1f.4", "i801_smbus");
	assert_int_equal(w->plan.detach.n, 0);
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1462:3302\ngroup = strict\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "0000:02:00.0");
}

static void
ungrouped_device_refused(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = 1022:1480\n");
	has_error(w, "0000:00:18.0 1022:1480", "no IOMMU group");
}

static void
protected_device_and_group_mate(void **state)
{
	struct world *w = *state;

	plan(w, "[global]\nprotect = class=0106\n[vm \"vm\"]\npci = 8086:7ae2\n");
	has_error(w, "0000:00:17.0 8086:7ae2", "protected by 'protect = class=0106'");
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* a protected group mate that assign would pull in */
	plan(w, "[global]\nprotect = 8086:7aa3\n[vm \"vm\"]\npci = 8086:7ad0\n");
	has_error(w, "0000:00:1f.4", "protected");
}

static void
held_by_another_vm(void **state)
{
	struct world *w = *state;

	pci_addr_parse("0000:03:00.0", &w->held[0].addr, NULL);
	w->held[0].vm = "other";
	w->nheld = 1;
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 slot=3\n");
	has_error(w, "0000:03:00.0", "held by running VM 'other'");
	plan_free(&w->plan);
	config_free(&w->cfg);
	w->held[0].vm = "vm";	/* our own earlier start */
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 slot=3\n");
	no_errors(w);
}

static void
unmanaged_hostdevs_are_detached_by_pthook(void **state)
{
	struct world *w = *state;

	xml_hostdev(w, "0000:02:00.0", false);
	xml_hostdev(w, "0000:02:00.1", false);
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1462:3302\n");
	no_errors(w);
	/* 02:00.1 is on vfio-pci already */
	assert_string_equal(addrs(&w->plan.detach), "0000:02:00.0");
	assert_false(w->plan.assign.v[0].managed);
}

static void
xml_in_sync(void **state)
{
	struct world *w = *state;

	xml_hostdev(w, "0000:01:00.1", true);
	xml_hostdev(w, "0000:01:00.0", true);
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 subsystem=1043:85f4\n");
	no_errors(w);
	assert_int_equal(w->plan.nadd, 0);
	assert_int_equal(w->plan.nremove, 0);
	assert_int_equal(w->plan.stale.n, 0);
}

static void
stale_definition(void **state)
{
	struct world *w = *state;
	char a[PCI_ADDR_STRLEN];

	/* the card moved: the XML still points at 03:00.0, which now holds
	 * the other NIC; 0a:00.0 is gone altogether */
	xml_hostdev(w, "0000:03:00.0", true);
	xml_hostdev(w, "0000:0a:00.0", true);
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 slot=4\n");
	assert_int_equal(w->plan.nadd, 1);
	assert_string_equal(pci_addr_fmt(&w->plan.add[0], a), "0000:04:00.0");
	assert_int_equal(w->plan.nremove, 2);
	/* stale, not a policy error: migrate/restore and apply fix it */
	no_errors(w);
	has_line(&w->plan.stale, "definition lacks 0000:04:00.0", "pthook apply --vm vm");
	has_line(&w->plan.stale, "hostdev 0000:03:00.0 holds 0000:03:00.0 8086:10d3", "wrong device");
	has_line(&w->plan.stale, "hostdev 0000:0a:00.0: no such device", "pthook apply --vm vm");
}

static void
host_critical_needs_force(void **state)
{
	struct world *w = *state;

	pci_addr_parse("10000:e1:00.0", &w->crit[0].addr, NULL);
	w->crit[0].why = "it backs / (mounted filesystem)";
	pci_addr_parse("0000:00:1f.4", &w->crit[1].addr, NULL);
	w->crit[1].why = "test";
	w->ncrit = 2;
	plan(w, "[vm \"vm\"]\npci = 144d:a808\n");
	has_error(w, "10000:e1:00.0 144d:a808", "host-critical: it backs / (mounted filesystem)");
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 144d:a808 force\n");
	no_errors(w);
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* a group mate has no rule to say force */
	plan(w, "[vm \"vm\"]\npci = 8086:7ad0 force\ngroup = detach\n");
	has_error(w, "0000:00:1f.4", "host-critical");
}

/* The boot GPU goes only with console = handoff, and the plan says
 * which device the handoff is for; the refusal names the key. */
static void
console_gpu_needs_the_handoff(void **state)
{
	struct world *w = *state;

	pci_addr_parse("0000:01:00.0", &w->crit[0].addr, NULL);
	w->crit[0].why = "it is the boot VGA device";
	w->crit[0].console = true;
	w->ncrit = 1;
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 index=0\n");
	has_error(w, "0000:01:00.0", "'console = handoff' in the VM's section hands it over");
	assert_null(w->plan.console);
	plan_free(&w->plan);
	config_free(&w->cfg);
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 index=0\nconsole = handoff\n");
	no_errors(w);
	assert_non_null(w->plan.console);
	assert_string_equal(w->plan.console->addr_str, "0000:01:00.0");
	plan_free(&w->plan);
	config_free(&w->cfg);
	/* not a console: the handoff lifts nothing else */
	w->crit[0].console = false;
	plan(w, "[vm \"vm\"]\npci = 10de:1b81 index=0\nconsole = handoff\n");
	has_error(w, "0000:01:00.0", "add 'force' to its rule");
}

static void
duplicate_hostdev_is_stale(void **state)
{
	struct world *w = *state;

	xml_hostdev(w, "0000:03:00.0", true);
	xml_hostdev(w, "0000:03:00.0", true);
	plan(w, "[vm \"vm\"]\npci = 8086:10d3 slot=3\n");
	no_errors(w);
	assert_int_equal(w->plan.nadd, 0);
	assert_int_equal(w->plan.nremove, 1);
	has_line(&w->plan.stale, "hostdev 0000:03:00.0 is in the definition twice", NULL);
}

static void
pci_domain_10000(void **state)
{
	struct world *w = *state;

	plan(w, "[vm \"vm\"]\npci = address=10000:e1:00.0 144d:a808\n");
	no_errors(w);
	assert_string_equal(addrs(&w->plan.assign), "10000:e1:00.0");
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(unconfigured_vm),
		T(exact_match_and_group_assign),
		T(no_match),
		T(ambiguous_lists_candidates_and_the_key),
		T(identical_cards_by_slot_index_subsystem),
		T(index_out_of_range_and_all),
		T(group_detach),
		T(group_strict),
		T(ungrouped_device_refused),
		T(protected_device_and_group_mate),
		T(held_by_another_vm),
		T(unmanaged_hostdevs_are_detached_by_pthook),
		T(xml_in_sync),
		T(stale_definition),
		T(host_critical_needs_force),
		T(console_gpu_needs_the_handoff),
		T(duplicate_hostdev_is_stale),
		T(pci_domain_10000),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
