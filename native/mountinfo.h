/* Reading /proc/self/mountinfo: each mount's point, file system type and source, unescaped. */
#ifndef NSAGENT_MOUNTINFO_H
#define NSAGENT_MOUNTINFO_H

#include <limits.h>

struct mount_entry {
	char point[PATH_MAX];
	char fstype[64];
	char source[PATH_MAX];
};

/* Call fn for every mount of the calling thread's mount namespace, in mountinfo order; stops
 * when fn returns non-zero (and returns that). -1 with the error set when mountinfo is unreadable. */
int mountinfo_each(int (*fn)(const struct mount_entry *m, void *ctx), void *ctx);

/* The mount whose mount point is exactly `point` (the last one, i.e. the top), or 0 when none. */
int mountinfo_find(const char *point, struct mount_entry *out);

#endif
