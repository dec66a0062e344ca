#include "resetdb.h"

#include <stddef.h>

#define VENDOR_RESET "vendor-reset's device list (github.com/gnif/vendor-reset, src/device-db.h)"
#define AMD_BUG "the AMD reset bug: the GPU does not reset between guest boots; " \
	"the vendor-reset module resets it (modprobe vendor-reset, then reset=device_specific)"

static const unsigned short polaris10[] = { 0x67c0, 0x67c1, 0x67c2, 0x67c4, 0x67c7,
	0x67d0, 0x67df, 0x67c8, 0x67c9, 0x67ca, 0x67cc, 0x67cf, 0x6fdf, 0 };
static const unsigned short polaris11[] = { 0x67e0, 0x67e3, 0x67e8, 0x67eb, 0x67ef,
	0x67ff, 0x67e1, 0x67e7, 0x67e9, 0 };
static const unsigned short polaris12[] = { 0x6980, 0x6981, 0x6985, 0x6986, 0x6987,
	0x6995, 0x6997, 0x699f, 0 };
static const unsigned short vega10[] = { 0x6860, 0x6861, 0x6862, 0x6863, 0x6864, 0x6867,
	0x6868, 0x6869, 0x686a, 0x686b, 0x686c, 0x686d, 0x686e, 0x686f, 0x687f, 0 };
static const unsigned short vega20[] = { 0x66a0, 0x66a1, 0x66a2, 0x66a3, 0x66a4, 0x66a7,
	0x66af, 0 };
static const unsigned short navi10[] = { 0x7310, 0x7312, 0x7318, 0x7319, 0x731a, 0x731b,
	0x731e, 0x731f, 0 };
static const unsigned short navi12[] = { 0x7360, 0x7362, 0 };
static const unsigned short navi14[] = { 0x7340, 0x7341, 0x7347, 0x734f, 0 };

static const struct reset_trouble table[] = {
	{ 0x1002, polaris10, "AMD Polaris 10", AMD_BUG, VENDOR_RESET },
	{ 0x1002, polaris11, "AMD Polaris 11", AMD_BUG, VENDOR_RESET },
	{ 0x1002, polaris12, "AMD Polaris 12", AMD_BUG, VENDOR_RESET },
	{ 0x1002, vega10, "AMD Vega 10", AMD_BUG, VENDOR_RESET },
	{ 0x1002, vega20, "AMD Vega 20", AMD_BUG, VENDOR_RESET },
	{ 0x1002, navi10, "AMD Navi 10", AMD_BUG, VENDOR_RESET },
	{ 0x1002, navi12, "AMD Navi 12", AMD_BUG, VENDOR_RESET },
	{ 0x1002, navi14, "AMD Navi 14", AMD_BUG, VENDOR_RESET },
};

const struct reset_trouble *
reset_trouble_of(const struct device *d)
{
	size_t i;
	const unsigned short *id;

	for (i = 0; i < sizeof(table) / sizeof(*table); i++)
		for (id = table[i].devices; table[i].vendor == d->vendor && *id; id++)
			if (*id == d->device)
				return &table[i];
	return NULL;
}
