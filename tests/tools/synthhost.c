/* synthhost N: print a synthetic host inventory of about N PCI
 * functions: root ports, multi-function GPUs, identical NICs in named
 * slots, SR-IOV physical and virtual functions, NVMe, chipset groups
 * with several members, and a second PCI domain (VMD-style 10000). */
#include <stdio.h>
#include <stdlib.h>

static unsigned domain, bus = 1, group = 1, count, want;

static void
fn(unsigned b, unsigned s, unsigned f, const char *class, const char *id,
    const char *sub, const char *drv, unsigned g, const char *slot, const char *name)
{
	printf("%04x:%02x:%02x.%x\t%s\t%s\t%s\t01\t%s\t%u\t%s\t%s\n", domain, b, s, f,
	    class, id, sub, drv, g, slot, name);
	count++;
}

static unsigned
next_bus(void)
{
	if (++bus > 0xff) {
		domain = domain ? domain + 1 : 0x10000;
		bus = 1;
	}
	return bus;
}

int
main(int argc, char **argv)
{
	unsigned card = 0, rp;
	char slot[16];

	want = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
	printf("# synthetic host, %u functions requested\n", want);
	/* chipset: one group of four */
	fn(0, 0x1f, 0, "060100", "8086:7a84", "1043:8694", "-", 0, "-", "Intel ISA bridge");
	fn(0, 0x1f, 3, "040300", "8086:7ad0", "1043:882a", "snd_hda_intel", 0, "-", "Intel HD Audio");
	fn(0, 0x1f, 4, "0c0500", "8086:7aa3", "1043:8694", "i801_smbus", 0, "-", "Intel SMBus");
	fn(0, 0x17, 0, "010601", "8086:7ae2", "1043:8694", "ahci", group++, "-", "Intel SATA");
	while (count < want) {
		unsigned b, kind = card % 4, vfs, i;

		rp = card % 31 + 1;
		b = next_bus();
		fn(0, rp, card / 31 % 8, "060400", "8086:7ab8", "-", "pcieport", group++, "-",
		    "Intel root port");
		snprintf(slot, sizeof(slot), "%u", card + 1);
		if (kind == 0) {	/* GPU + audio: one group */
			fn(b, 0, 0, "030000", "10de:1b81", "1043:85f4", "nouveau", group, slot, "NVIDIA GP104");
			fn(b, 0, 1, "040300", "10de:10f0", "1043:85f4", "snd_hda_intel", group++, slot, "NVIDIA GP104 audio");
		} else if (kind == 1) {	/* identical NICs, told apart by slot */
			fn(b, 0, 0, "020000", "8086:10d3", "8086:a01f", "e1000e", group++, slot, "Intel 82574L");
		} else if (kind == 2) {	/* SR-IOV: PF + VFs, each its own group */
			vfs = want - count > 64 ? 63 : 7;
			fn(b, 0, 0, "020000", "8086:1528", "8086:0001", "ixgbe", group++, slot, "Intel X540 PF");
			for (i = 1; i <= vfs && count < want; i++)
				fn(b, i / 8, i % 8, "020000", "8086:1515", "8086:0001",
				    i % 2 ? "ixgbevf" : "vfio-pci", group++, "-", "Intel X540 VF");
		} else {		/* NVMe */
			fn(b, 0, 0, "010802", "144d:a808", "144d:a801", "nvme", group++, "-", "Samsung NVMe");
		}
		card++;
	}
	return 0;
}
