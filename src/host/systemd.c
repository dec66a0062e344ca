#include "systemd.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

int
systemctl(const char *verb, const char *unit, bool quiet)
{
	char *argv[] = { "systemctl", (char *)verb, "--quiet", (char *)unit, NULL };
	int status;
	pid_t pid;

	if (!quiet) {
		argv[2] = (char *)unit;
		argv[3] = NULL;
	}
	if ((pid = fork()) < 0) {
		error_set("systemctl %s %s: fork: %s", verb, unit, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			error_set("systemctl %s %s: %s", verb, unit, strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		error_set("systemctl %s %s: cannot run systemctl (is it on PATH?)", verb, unit);
	else
		error_set("systemctl %s %s failed (exit %d)", verb, unit,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return -1;
}
