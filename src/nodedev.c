#include "nodedev.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "virt.h"

/* The child: one libvirt call, its outcome as text on fd. */
static void __attribute__((noreturn))
child(int fd, const char *uri, const struct pci_addr *a, bool detach)
{
	char name[40], out[512];
	virNodeDevicePtr dev = NULL;
	virConnectPtr conn;
	int null, ok = 0;

	/* Nothing of ours may hold libvirt's pipes: it waits for them. */
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	snprintf(name, sizeof(name), "pci_%04x_%02x_%02x_%x", a->domain, a->bus, a->slot, a->func);
	if ((conn = virt_open(uri)) == NULL)
		snprintf(out, sizeof(out), "%s", error_get());
	else if ((dev = virt.virNodeDeviceLookupByName(conn, name)) == NULL)
		snprintf(out, sizeof(out), "libvirt does not know %s: %s", name, virt_error());
	else if ((detach ? virt.virNodeDeviceDetachFlags(dev, "vfio", 0) : virt.virNodeDeviceReAttach(dev)) < 0)
		snprintf(out, sizeof(out), "libvirt could not %s %s: %s",
		    detach ? "detach" : "reattach", name, virt_error());
	else
		ok = 1;
	if (ok)
		snprintf(out, sizeof(out), "ok");
	(void)!write(fd, out, strlen(out));
	_exit(ok ? 0 : 1);
}

static long
ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

int
nodedev_move(const char *uri, const struct pci_addr *a, bool detach, int timeout_s)
{
	char buf[512], as[PCI_ADDR_STRLEN];
	struct timespec end;
	size_t have = 0;
	int pfd[2], status;
	pid_t pid;

	pci_addr_fmt(a, as);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		error_set("%s: pipe: %s", as, strerror(errno));
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		error_set("%s: fork: %s", as, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1], uri, a, detach);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_s;
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long left = ms_left(&end);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(pfd[0]);
			error_set("%s: libvirt (%s) did not answer within %d s", as, uri, timeout_s);
			return -1;
		}
		n = read(pfd[0], buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || have + (size_t)n >= sizeof(buf) - 1)
			break;
		have += (size_t)n;
	}
	close(pfd[0]);
	buf[have] = '\0';
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	error_set("%s: %s", as, have ? buf : "the libvirt helper died");
	return -1;
}
