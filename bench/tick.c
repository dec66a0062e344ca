/* tick [-i FILE] RUNS BATCHES CMD...: run CMD RUNS times per batch (stdin
 * from FILE or /dev/null, output discarded), BATCHES batches; print the
 * median microseconds per run and the peak RSS of any run in KiB. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	const char *in = "/dev/null";
	struct timespec a, b;
	struct rusage ru;
	double t[64];
	int runs, batches, i, j, failed = 0;

	if (argc > 2 && strcmp(argv[1], "-i") == 0) {
		in = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 4 || (runs = atoi(argv[1])) < 1 || (batches = atoi(argv[2])) < 1 || batches > 64) {
		fprintf(stderr, "usage: tick [-i FILE] RUNS BATCHES CMD...\n");
		return 2;
	}
	for (j = 0; j < batches; j++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < runs; i++) {
			pid_t p = fork();
			int st;

			if (p == 0) {
				int fi = open(in, O_RDONLY), fo = open("/dev/null", O_WRONLY);

				dup2(fi, 0);
				dup2(fo, 1);
				dup2(fo, 2);
				execv(argv[3], argv + 3);
				_exit(127);
			}
			waitpid(p, &st, 0);
			failed |= !WIFEXITED(st) || WEXITSTATUS(st) == 127;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[j] = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / runs / 1000.0;
	}
	qsort(t, (size_t)batches, sizeof(*t), cmp);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.0f %ld\n", t[batches / 2], ru.ru_maxrss);
	return failed;
}
