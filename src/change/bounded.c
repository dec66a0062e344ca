#include "bounded.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

void
deadline_in(struct deadline *d, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, &d->at);
	d->at.tv_sec += ms / 1000;
	d->at.tv_nsec += (ms % 1000) * 1000000;
	if (d->at.tv_nsec >= 1000000000) {
		d->at.tv_sec++;
		d->at.tv_nsec -= 1000000000;
	}
}

long
deadline_left_ms(const struct deadline *d)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (d->at.tv_sec - now.tv_sec) * 1000 + (d->at.tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

struct deadline
deadline_min(const struct deadline *a, const struct deadline *b)
{
	if (a->at.tv_sec != b->at.tv_sec)
		return a->at.tv_sec < b->at.tv_sec ? *a : *b;
	return a->at.tv_nsec < b->at.tv_nsec ? *a : *b;
}

/* The child: nothing of the parent's but the result pipe, moved to
 * fd 3, and no life of its own. */
static void __attribute__((noreturn))
child(pid_t parent, int fd, int (*fn)(void *), void *arg)
{
	const char *out;
	int null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);	/* the hook died before the line above */
	if ((null = open("/dev/null", O_RDWR)) >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	if (dup2(fd, 3) < 0)
		_exit(1);
	/* the state lock among them: flock() locks follow the open file */
	close_range(4, ~0U, 0);
	out = fn(arg) == 0 ? "" : error_get();
	(void)!write(3, out, strlen(out) + 1);
	_exit(0);
}

int
bounded_call(const struct deadline *d, const char *what, int (*fn)(void *), void *arg)
{
	char buf[1024];
	size_t have = 0;
	pid_t pid, parent = getpid();
	int pfd[2];
	long left;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		error_set("%s: pipe: %s", what, strerror(errno));
		return BOUNDED_FAILED;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		error_set("%s: fork: %s", what, strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return BOUNDED_FAILED;
	}
	if (pid == 0)
		child(parent, pfd[1], fn, arg);
	close(pfd[1]);
	/* read until the child's NUL-terminated answer or EOF */
	while (have < sizeof(buf) - 1 && memchr(buf, '\0', have) == NULL) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;
		int r;

		left = deadline_left_ms(d);
		if ((r = poll(&p, 1, (int)left)) < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			/* a child stuck in the kernel cannot be reaped: leave it */
			kill(pid, SIGKILL);
			waitpid(pid, NULL, WNOHANG);
			close(pfd[0]);
			error_set("%s did not finish in time", what);
			return BOUNDED_TIMEOUT;
		}
		if ((n = read(pfd[0], buf + have, sizeof(buf) - 1 - have)) < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(pfd[0]);
	buf[have] = '\0';
	waitpid(pid, NULL, 0);
	if (have > 0 && buf[0] == '\0')
		return 0;
	error_set("%s", have ? buf : "the helper process died");
	return BOUNDED_FAILED;
}
