/* uinputdev KIND NAME: a real input device made through /dev/uinput,
 * for the VM tier's evdev scenario.  KIND is keyboard (ESC to D, as
 * udev's input_id wants of a full keyboard) or mouse (relative X/Y and
 * a left button); the device is virtual (BUS_VIRTUAL, 1234:5678).
 * Prints its event node ("event3") once the kernel made it, then holds
 * it until killed: the kernel destroys it with the descriptor. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
set(int fd, unsigned long req, int bit)
{
	if (ioctl(fd, req, bit) < 0)
		die("uinputdev: ioctl");
}

/* The event node under /sys/devices/virtual/input/SYSNAME. */
static void
print_event(const char *sysname)
{
	char path[128];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/devices/virtual/input/%s", sysname);
	if ((d = opendir(path)) == NULL)
		die(path);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "event", 5) == 0) {
			printf("%s\n", e->d_name);
			fflush(stdout);
			closedir(d);
			return;
		}
	fprintf(stderr, "uinputdev: %s has no event node (is evdev loaded?)\n", path);
	exit(1);
}

int
main(int argc, char **argv)
{
	struct uinput_setup us = { .id = { .bustype = BUS_VIRTUAL, .vendor = 0x1234,
	    .product = 0x5678 } };
	char sysname[64];
	int fd, k;

	if (argc != 3 || (strcmp(argv[1], "keyboard") != 0 && strcmp(argv[1], "mouse") != 0)) {
		fprintf(stderr, "usage: uinputdev keyboard|mouse NAME\n");
		return 2;
	}
	if ((fd = open("/dev/uinput", O_WRONLY | O_CLOEXEC)) < 0)
		die("uinputdev: /dev/uinput");
	set(fd, UI_SET_EVBIT, EV_KEY);
	if (argv[1][0] == 'k') {
		for (k = KEY_ESC; k <= KEY_D; k++)
			set(fd, UI_SET_KEYBIT, k);
	} else {
		set(fd, UI_SET_KEYBIT, BTN_LEFT);
		set(fd, UI_SET_EVBIT, EV_REL);
		set(fd, UI_SET_RELBIT, REL_X);
		set(fd, UI_SET_RELBIT, REL_Y);
	}
	snprintf(us.name, sizeof(us.name), "%s", argv[2]);
	if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0)
		die("uinputdev: create");
	if (ioctl(fd, UI_GET_SYSNAME(sizeof(sysname)), sysname) < 0)
		die("uinputdev: UI_GET_SYSNAME");
	print_event(sysname);
	for (;;)
		pause();
}
