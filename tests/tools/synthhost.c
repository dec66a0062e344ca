/* synthhost N: print a synthetic host inventory of about N PCI
 * functions: root ports, multi-function GPUs, identical NICs in named
 * slots, SR-IOV physical and virtual functions, NVMe, a chipset group
 * with several members, and further PCI domains (VMD-style 10000+) once
 * a domain's root ports run out. */
#include <stdio.h>
#include <stdlib.h>

#define PORTS_PER_DOMAIN (0x16 * 8)	/* root ports at 00:01.0 - 00:16.7 */

static unsigned domain, group, count, want;

static char sriov[64];	/* the SR-IOV column of the next line */

static void
fn(unsigned b, unsigned s, unsigned f, const char *class, const char *id,
    const char *sub, const char *drv, unsigned g, const char *slot, const char *name)
{
	printf("%04x:%02x:%02x.%x\t%s\t%s\t%s\t01\t%s\t%u\t%s\t%s\t-\t%s\n", domain, b,
	    s, f, class, id, sub, drv, g, slot, name, sriov[0] ? sriov : "-");
	sriov[0] = '\0';
	count++;
}

int
main(int argc, char **argv)
{
	unsigned card, port = 0;
	char slot[16];

	want = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
	printf("# synthetic host, %u functions requested\n", want);
	/* chipset: one group of three, then SATA alone */
	fn(0, 0x1f, 0, "060100", "8086:7a84", "1043:8694", "-", group, "-", "Intel ISA bridge");
	fn(0, 0x1f, 3, "040300", "8086:7ad0", "1043:882a", "snd_hda_intel", group, "-", "Intel HD Audio");
	fn(0, 0x1f, 4, "0c0500", "8086:7aa3", "1043:8694", "i801_smbus", group++, "-", "Intel SMBus");
	fn(0, 0x17, 0, "010601", "8086:7ae2", "1043:8694", "ahci", group++, "-", "Intel SATA");
	for (card = 0; count < want; card++, port++) {
		unsigned b, vfs, i;

		if (port == PORTS_PER_DOMAIN) {
			domain = domain ? domain + 1 : 0x10000;
			port = 0;
		}
		b = port + 1;
		fn(0, 1 + port / 8, port % 8, "060400", "8086:7ab8", "-", "pcieport", group++,
		    "-", "Intel root port");
		snprintf(slot, sizeof(slot), "%u", card + 1);
		switch (card % 4) {
		case 0:		/* GPU + audio: one group */
			fn(b, 0, 0, "030000", "10de:1b81", "1043:85f4", "nouveau", group, slot, "NVIDIA GP104");
			fn(b, 0, 1, "040300", "10de:10f0", "1043:85f4", "snd_hda_intel", group++, slot, "NVIDIA GP104 audio");
			break;
		case 1:		/* identical NICs, told apart by slot */
			fn(b, 0, 0, "020000", "8086:10d3", "8086:a01f", "e1000e", group++, slot, "Intel 82574L");
			break;
		case 2:		/* SR-IOV: PF + VFs, each its own group */
			vfs = want - count > 64 ? 63 : 7;
			snprintf(sriov, sizeof(sriov), "totalvfs=63,vfid=8086:1515,vfdriver=ixgbevf");
			fn(b, 0, 0, "020000", "8086:1528", "8086:0001", "ixgbe", group++, slot, "Intel X540 PF");
			for (i = 1; i <= vfs && count < want; i++) {	/* slots name bus:device */
				snprintf(sriov, sizeof(sriov), "pf=%04x:%02x:00.0,vf=%u", domain, b, i - 1);
				fn(b, i / 8, i % 8, "020000", "8086:1515", "8086:0001",
				    i % 2 ? "ixgbevf" : "vfio-pci", group++, i < 8 ? slot : "-",
				    "Intel X540 VF");
			}
			break;
		default:	/* NVMe */
			fn(b, 0, 0, "010802", "144d:a808", "144d:a801", "nvme", group++, slot, "Samsung NVMe");
		}
	}
	return 0;
}
