/* Work that may never return, run where it cannot hang the hook.
 *
 * A libvirt call cannot be interrupted, and a sysfs write can block in
 * the kernel (an unbind waiting for a driver's last reference), so each
 * runs in a child process that the hook stops waiting for when its
 * deadline passes.  The child holds nothing of the hook's: not the state
 * lock, not libvirt's stdout/stderr, and it dies with the hook. */
#ifndef PTHOOK_BOUNDED_H
#define PTHOOK_BOUNDED_H

#include <stdbool.h>
#include <time.h>

/* A point in time on the monotonic clock. */
struct deadline {
	struct timespec at;
};

void deadline_in(struct deadline *d, long ms);
long deadline_left_ms(const struct deadline *d);
/* The earlier of the two. */
struct deadline deadline_min(const struct deadline *a, const struct deadline *b);

enum { BOUNDED_FAILED = -1, BOUNDED_TIMEOUT = -2 };

/* fn(arg) in a child: 0 when it returned 0; BOUNDED_FAILED with
 * error_set() of the child's error_get(); BOUNDED_TIMEOUT with
 * error_set("WHAT did not finish within N s") when the deadline passed
 * first (the child is killed, or left to the kernel when it is stuck in
 * an uninterruptible write). */
int bounded_call(const struct deadline *d, const char *what, int (*fn)(void *), void *arg);

#endif
