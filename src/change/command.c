#include "command.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

int
command_run(char *const argv[], const char *what)
{
	int status;
	pid_t pid;

	if ((pid = fork()) < 0) {
		error_set("%s: fork: %s", what, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			error_set("%s: %s", what, strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		error_set("%s: cannot run %s (is it on PATH?)", what, argv[0]);
	else
		error_set("%s failed (exit %d)", what,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return -1;
}

int
systemctl(const char *verb, const char *unit, bool quiet)
{
	char *argv[] = { "systemctl", (char *)verb, "--quiet", (char *)unit, NULL };
	char *what = xasprintf("systemctl %s %s", verb, unit);
	int rc;

	if (!quiet) {
		argv[2] = (char *)unit;
		argv[3] = NULL;
	}
	rc = command_run(argv, what);
	free(what);
	return rc;
}
